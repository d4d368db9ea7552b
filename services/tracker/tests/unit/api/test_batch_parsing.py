"""Batch bodies: CSV with AfterShip-like columns (destination folded), JSON lines line by line."""

from __future__ import annotations

import pytest

from suivi_tracker.api.batch import _csv_items, _json_items
from suivi_tracker.api.deps import ApiError


def test_csv_rows_become_tracking_requests() -> None:
    text = (
        "tracking_number,carrier,postal_code,country,title\n6A1,laposte,75015,FR, Plaid \n1Z2,,,,\n"
    )
    assert _csv_items(text) == [
        {"tracking_number": "6A1", "carrier": "laposte", "title": "Plaid",
         "destination": {"postal_code": "75015", "country": "FR"}},
        {"tracking_number": "1Z2"},
    ]  # fmt: skip


@pytest.mark.parametrize("header", ["carrier,title", "tracking_number,colour"])
def test_a_csv_without_the_number_column_or_with_unknown_columns_is_refused(header: str) -> None:
    with pytest.raises(ApiError) as refused:
        _csv_items(header + "\nx,y\n")
    assert (refused.value.status, refused.value.code) == (400, "invalid_csv")


def test_json_lines_keep_their_line_numbers() -> None:
    items = _json_items('{"tracking_number": "6A1"}\n\n[1]\nnot json\n')
    assert items == [{"tracking_number": "6A1"}, "not a JSON object", "not a JSON object"]
