"""Golden-fixture support: a provider body → canonical events with a fixed envelope, as JSON lines.

Set SUIVI_UPDATE_GOLDEN=1 to (re)write `*.expected.jsonl`; review every changed line by hand.
"""

from __future__ import annotations

import os
import uuid
from datetime import UTC, datetime
from pathlib import Path

from suivi_normalizer.domain.normalize import normalize
from suivi_normalizer.testing.envelope import envelope_for
from suivi_schemas import RawProviderEvent, ShipmentStatusEvent

FIXED_RECEIVED_AT = datetime(2026, 1, 1, tzinfo=UTC)
FIXED_RAW_EVENT_ID = uuid.UUID("00000000-0000-4000-8000-000000000001")


def raw_event(provider: str, body: str) -> RawProviderEvent:
    return envelope_for(provider, body, FIXED_RECEIVED_AT, event_id=FIXED_RAW_EVENT_ID)


def normalize_fixture(provider: str, path: Path) -> list[ShipmentStatusEvent]:
    return normalize(raw_event(provider, path.read_text(encoding="utf-8")))


def render(events: list[ShipmentStatusEvent]) -> str:
    return "".join(e.model_dump_json() + "\n" for e in events)


def check_golden(provider: str, fixture: Path) -> list[ShipmentStatusEvent]:
    """Normalizes `fixture` and compares with `<stem>.expected.jsonl` beside it."""
    events = normalize_fixture(provider, fixture)
    expected_path = fixture.with_name(fixture.stem + ".expected.jsonl")
    rendered = render(events)
    if os.environ.get("SUIVI_UPDATE_GOLDEN") == "1":
        expected_path.write_text(rendered, encoding="utf-8")
    assert expected_path.exists(), f"{expected_path} missing: run with SUIVI_UPDATE_GOLDEN=1"
    expected = expected_path.read_text(encoding="utf-8")
    assert rendered == expected, f"{fixture.name}: events differ from {expected_path.name}"
    return events
