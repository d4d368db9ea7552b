"""One tracking as the domain sees it: a (carrier, number) with its source, state and history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from suivi_tracker.domain.sources import Mode, TrackingRef
from suivi_tracker.domain.states import State


@dataclass(frozen=True, slots=True)
class Tracking:
    id: int
    carrier: str
    tracking_number: str  # normalised (suivi_schemas.ids.normalize_tracking_number)
    state: State
    created_at: datetime
    source: str | None = None
    mode: Mode | None = None
    source_ref: str | None = None
    postal_code: str | None = None
    country: str | None = None
    ship_date: date | None = None
    last_status: str | None = None  # canonical ShipmentStatus, learned from tracking.status.v1
    last_event_at: datetime | None = None
    promised_date: date | None = None
    terminal_at: datetime | None = None  # when a terminal status was first seen
    last_success_at: datetime | None = None  # last poll or registration the source answered
    last_push_at: datetime | None = None  # last status event received for it
    body_hash: str | None = None
    failures: int = 0

    def ref(self) -> TrackingRef:
        return TrackingRef(
            carrier=self.carrier,
            tracking_number=self.tracking_number,
            postal_code=self.postal_code,
            country=self.country,
            ship_date=self.ship_date,
            source_ref=self.source_ref,
        )

    @property
    def registered(self) -> bool:
        """A push tracking the source accepted (its own id, or at least one success)."""
        return self.source_ref is not None or self.last_success_at is not None

    def heard_at(self) -> datetime:
        """When Suivi last heard of it from its source (poll or push); creation if never."""
        seen = [t for t in (self.last_success_at, self.last_push_at) if t is not None]
        return max(seen) if seen else self.created_at
