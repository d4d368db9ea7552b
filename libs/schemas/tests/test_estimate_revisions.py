"""Estimate revisions on tracking.status.v1: additive field, deterministic estimate-aware ids."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

from suivi_schemas import ShipmentStatusEvent, checkpoint_event_id, estimate_event_id

CHECKPOINT = checkpoint_event_id(
    carrier="ups",
    tracking_number="1Z999",
    occurred_at=datetime(2026, 3, 2, 9, tzinfo=UTC),
    code="I",
)


def test_estimate_id_depends_on_the_window_and_nothing_else() -> None:
    a = estimate_event_id(CHECKPOINT, date(2026, 3, 4), date(2026, 3, 4))
    assert a == estimate_event_id(CHECKPOINT, date(2026, 3, 4), date(2026, 3, 4))
    assert a != estimate_event_id(CHECKPOINT, date(2026, 3, 5), date(2026, 3, 5))
    assert a != estimate_event_id(CHECKPOINT, date(2026, 3, 4), date(2026, 3, 5))
    assert a not in {CHECKPOINT}


def test_an_old_event_without_the_field_still_reads() -> None:
    event = ShipmentStatusEvent.model_validate(
        {
            "event_id": str(CHECKPOINT),
            "provider": "ups",
            "carrier": "ups",
            "tracking_number": "1Z999",
            "status": "in_transit",
            "occurred_at": "2026-03-02T09:00:00Z",
            "received_at": "2026-03-02T09:01:00Z",
            "raw_event_id": str(uuid.uuid4()),
        }
    )
    assert event.revision_of is None
