"""The merchant's promised delivery date on `commerce.orders.v1` (issue 21): optional, additive."""

from __future__ import annotations

import json
import uuid
from datetime import date

import pytest
from pydantic import ValidationError

from suivi_schemas.export import DEFAULT_DIR
from suivi_schemas.orders import OrderEvent

_OLD = {  # an event as published before the field existed
    "event_id": str(uuid.UUID(int=1)),
    "merchant_id": "acme",
    "order_number": "1001",
    "source": "api",
    "placed_at": "2026-12-01T10:00:00+01:00",
    "updated_at": "2026-12-01T10:00:00+01:00",
    "customer": {},
}


def test_older_events_read_without_a_promise() -> None:
    assert OrderEvent.model_validate_json(json.dumps(_OLD)).promised_delivery_date is None


def test_promise_is_a_calendar_day_through_json() -> None:
    event = OrderEvent.model_validate_json(
        json.dumps({**_OLD, "promised_delivery_date": "2026-12-04"})
    )
    assert event.promised_delivery_date == date(2026, 12, 4)
    assert json.loads(event.model_dump_json())["promised_delivery_date"] == "2026-12-04"


@pytest.mark.parametrize("value", ["2026-02-30", "04/12/2026", "tomorrow"])
def test_promise_that_is_not_a_day_is_refused(value: str) -> None:
    with pytest.raises(ValidationError, match="promised_delivery_date"):
        OrderEvent.model_validate_json(json.dumps({**_OLD, "promised_delivery_date": value}))


def test_exported_schema_names_it_optional_as_a_date() -> None:
    schema = json.loads((DEFAULT_DIR / "commerce.orders.v1.json").read_text())
    props = schema["properties"]["promised_delivery_date"]
    assert {"type": "string", "format": "date"} in props["anyOf"]
    assert "promised_delivery_date" not in schema.get("required", [])
