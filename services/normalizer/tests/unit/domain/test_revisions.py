"""Estimate revisions: a new carrier date on an already published checkpoint goes out once."""

from __future__ import annotations

import json
from typing import Any

from suivi_normalizer.domain.dedup import RecentIds
from suivi_normalizer.domain.encode import encode_new
from suivi_normalizer.domain.normalize import normalize_new
from suivi_normalizer.testing.golden import raw_event
from suivi_schemas import ShipmentStatusEvent, estimate_event_id


def body(*days: str) -> str:
    events: list[dict[str, Any]] = [
        {"status": "in_transit", "occurred_at": "2026-03-02T09:00:00+01:00", "code": "A"},
        {"status": "in_transit", "occurred_at": "2026-03-03T09:00:00+01:00", "code": "B"},
    ]
    hook: dict[str, Any] = {"carrier": "dhl", "tracking_number": "JD1", "events": events}
    if days:
        hook["estimated_delivery"] = {"earliest": days[0], "latest": days[-1]}
    return json.dumps(hook)


def run(recent: RecentIds, text: str) -> list[ShipmentStatusEvent]:
    """One webhook through the hot path's encoder, remembering as the pipeline does."""
    known: set[Any] = set()

    class Known:
        def __contains__(self, item: object) -> bool:
            return item in recent or item in known

    encoded, _ = encode_new(raw_event("suivi", text), Known(), revisions=True)
    recent.remember(e.event_id for e in encoded)
    recent.remember(e.estimate_id for e in encoded if e.estimate_id is not None)
    return [ShipmentStatusEvent.model_validate_json(e.value) for e in encoded]


def test_a_new_date_without_a_new_checkpoint_is_one_revision_and_only_once() -> None:
    recent = RecentIds(100)
    first = run(recent, body("2026-03-05"))
    assert [e.revision_of for e in first] == [None, None]
    assert run(recent, body("2026-03-05")) == []  # the same date again: nothing
    revised = run(recent, body("2026-03-06", "2026-03-07"))
    assert len(revised) == 1
    (r,) = revised
    assert r.revision_of == first[-1].event_id
    assert r.estimated_delivery is not None and str(r.estimated_delivery.latest) == "2026-03-07"
    eta = r.estimated_delivery
    assert r.event_id == estimate_event_id(
        first[-1].event_id, eta.earliest, eta.latest, eta.source.value
    )
    assert (r.status, r.occurred_at, r.raw_code) == (
        first[-1].status,
        first[-1].occurred_at,
        first[-1].raw_code,
    )
    assert run(recent, body("2026-03-06", "2026-03-07")) == []  # replayed: deduplicated


def test_no_estimate_no_revision_and_the_validating_path_agrees() -> None:
    recent = RecentIds(100)
    run(recent, body())
    assert run(recent, body()) == []
    known = {e.event_id for e in normalize_new(raw_event("suivi", body("2026-03-05")))[0]}
    raw = raw_event("suivi", body("2026-03-09"))
    assert normalize_new(raw, known)[0] == []  # only callers that remember estimate ids ask
    slow, skipped = normalize_new(raw, known, revisions=True)
    fast, _ = encode_new(raw, known, revisions=True)
    assert skipped == 2 and len(slow) == 1 and slow[0].revision_of is not None
    assert [e.value for e in fast] == [slow[0].model_dump_json().encode()]
