"""Suivi's own webhook format: golden fixtures, validation, determinism."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from suivi_normalizer.providers import AdapterError
from suivi_normalizer.providers.suivi import parse
from suivi_normalizer.testing.golden import check_golden, normalize_fixture
from suivi_schemas import ShipmentStatus, Substatus

FIXTURES = Path(__file__).parents[2] / "fixtures" / "suivi"


@pytest.mark.parametrize("fixture", sorted(FIXTURES.glob("*.json")), ids=lambda p: p.stem)
def test_golden(fixture: Path) -> None:
    check_golden("suivi", fixture)


def test_history_is_ordered_oldest_first_with_offsets_kept() -> None:
    events = normalize_fixture("suivi", FIXTURES / "history_out_of_order.json")
    assert [e.substatus for e in events] == [
        Substatus.LABEL_CREATED,
        Substatus.PICKED_UP,
        Substatus.ARRIVED_AT_FACILITY,
    ]
    assert all(e.occurred_at.utcoffset() is not None for e in events)
    assert events[0].tracking_number == "6A12345678901"
    assert events[0].key == "laposte:6A12345678901"  # "colissimo" is La Poste's brand
    assert events[2].location is not None and events[2].location.city == "Évry"
    # The estimate rides on the latest checkpoint only.
    assert [e.estimated_delivery is not None for e in events] == [False, False, True]


def test_unknown_substatus_is_flagged_not_guessed() -> None:
    events = normalize_fixture("suivi", FIXTURES / "delivered_with_unknown_substatus.json")
    delivered = [e for e in events if e.status is ShipmentStatus.DELIVERED]
    assert len(delivered) == 1
    assert delivered[0].substatus is Substatus.UNKNOWN_CODE
    assert delivered[0].raw_code == "DLV"


def test_same_instant_in_another_offset_is_one_checkpoint() -> None:
    events = normalize_fixture("suivi", FIXTURES / "duplicates.json")
    assert [e.status for e in events] == [
        ShipmentStatus.IN_TRANSIT,
        ShipmentStatus.RETURNING_TO_SENDER,
    ]


def test_same_body_twice_gives_the_same_ids() -> None:
    first = normalize_fixture("suivi", FIXTURES / "history_out_of_order.json")
    second = normalize_fixture("suivi", FIXTURES / "history_out_of_order.json")
    assert [e.event_id for e in first] == [e.event_id for e in second]
    assert len({e.event_id for e in first}) == 3


def _body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = json.loads((FIXTURES / "history_out_of_order.json").read_text())
    body.update(overrides)
    return body


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (_body(events=[]), "events: List should have at least 1 item"),
        (_body(carrier=None), "carrier:"),
        (
            _body(events=[{"status": "teleported", "occurred_at": "2026-11-20T10:00:00Z"}]),
            "events.0.status",
        ),
        (
            _body(events=[{"status": "delivered", "occurred_at": "2026-11-20T10:00:00"}]),
            "events.0.occurred_at: Input should have timezone info",
        ),
        (
            _body(estimated_delivery={"earliest": "2026-11-25", "latest": "2026-11-24"}),
            "ends before",
        ),
        ([1, 2, 3], "(body)"),
    ],
)
def test_bad_payloads_say_what_is_wrong(body: Any, message: str) -> None:
    with pytest.raises(AdapterError) as excinfo:
        parse(body)
    assert message in str(excinfo.value)
