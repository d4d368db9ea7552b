"""Row ↔ domain conversions shared by the tracker's store, API and consumer."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from suivi_tracker.domain.model import Tracking
from suivi_tracker.domain.sources import Mode
from suivi_tracker.domain.states import State

COLUMNS = (
    "id, carrier, tracking_number, state, source, mode, source_ref, candidates, needs, "
    "postal_code, country, ship_date, last_status, last_event_at, promised_date, terminal_at, "
    "last_poll_at, last_success_at, last_push_at, body_hash, failures, last_error, next_due_at, "
    "lease_token, polls, created_at, updated_at"
)


def tracking_of(row: Mapping[str, Any]) -> Tracking:
    return Tracking(
        id=row["id"],
        carrier=row["carrier"],
        tracking_number=row["tracking_number"],
        state=State(row["state"]),
        created_at=row["created_at"],
        source=row["source"],
        mode=Mode(row["mode"]) if row["mode"] else None,
        source_ref=row["source_ref"],
        postal_code=row["postal_code"],
        country=row["country"],
        ship_date=row["ship_date"],
        last_status=row["last_status"],
        last_event_at=row["last_event_at"],
        promised_date=row["promised_date"],
        terminal_at=row["terminal_at"],
        last_success_at=row["last_success_at"],
        last_push_at=row["last_push_at"],
        body_hash=row["body_hash"],
        failures=row["failures"],
    )
