"""Whose day a `late` alert missed (issue 21): two optional fields, additive to the contract."""

from __future__ import annotations

import json
import uuid
from datetime import date

from suivi_schemas import PromiseSource, ShipmentAlert
from suivi_schemas.export import DEFAULT_DIR

_OLD = {  # an alert as published before the fields existed
    "event_id": str(uuid.UUID(int=1)),
    "episode_id": str(uuid.UUID(int=2)),
    "kind": "late",
    "carrier": "ups",
    "tracking_number": "1Z999",
    "status": "in_transit",
    "last_event_at": "2026-12-01T10:00:00+00:00",
    "detected_at": "2026-12-05T12:00:00+00:00",
    "expected_by": "2026-12-05T12:00:00+00:00",
}


def test_older_alerts_read_without_them() -> None:
    alert = ShipmentAlert.model_validate_json(json.dumps(_OLD))
    assert alert.promise_source is None and alert.promised_date is None


def test_the_shop_promise_and_its_day_through_json() -> None:
    document = {**_OLD, "promise_source": "merchant", "promised_date": "2026-12-04"}
    alert = ShipmentAlert.model_validate_json(json.dumps(document))
    assert alert.promise_source is PromiseSource.MERCHANT
    assert alert.promised_date == date(2026, 12, 4)
    dumped = json.loads(alert.model_dump_json())
    assert (dumped["promise_source"], dumped["promised_date"]) == ("merchant", "2026-12-04")


def test_exported_schema_names_them_optional() -> None:
    schema = json.loads((DEFAULT_DIR / "tracking.alerts.v1.json").read_text())
    props = schema["properties"]
    assert {"type": "string", "format": "date"} in props["promised_date"]["anyOf"]
    source = schema["$defs"]["PromiseSource"]
    assert source["enum"] == ["carrier", "merchant"]
    required = set(schema["required"])
    assert not required & {"promise_source", "promised_date"}
