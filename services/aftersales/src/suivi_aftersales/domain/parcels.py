"""What after-sales keeps of a parcel from its status events, merged so that any order and any
repetition of the same events gives the same facts (minimums, maximums, ties broken by id)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from suivi_schemas.common import Location
from suivi_schemas.events import ShipmentStatusEvent
from suivi_schemas.returns import ReturnState
from suivi_schemas.status import ShipmentStatus

# A status only a carrier holding the parcel reports: the earliest is the deposit (label
# creation — pending, info_received — and exceptions are not a scan of the parcel).
SCANNED = frozenset(
    {
        ShipmentStatus.IN_TRANSIT,
        ShipmentStatus.OUT_FOR_DELIVERY,
        ShipmentStatus.AVAILABLE_FOR_PICKUP,
        ShipmentStatus.DELIVERY_ATTEMPT_FAILED,
        ShipmentStatus.DELIVERED,
        ShipmentStatus.RETURNING_TO_SENDER,
        ShipmentStatus.RETURNED_TO_SENDER,
    }
)


@dataclass(frozen=True, slots=True)
class ParcelFacts:
    first_scan_at: datetime | None = None
    first_scan_event: uuid.UUID | None = None
    first_scan_location: Location | None = None
    last_scan_at: datetime | None = None
    delivered_at: datetime | None = None

    def stage(self) -> ReturnState | None:
        """How far a return parcel got: delivered → received; scanned at two instants → in
        transit; scanned once → dropped off."""
        if self.delivered_at is not None:
            return ReturnState.RECEIVED
        if self.first_scan_at is None or self.last_scan_at is None:
            return None
        if self.last_scan_at > self.first_scan_at:
            return ReturnState.IN_TRANSIT
        return ReturnState.DROPPED_OFF


def learn(facts: ParcelFacts, event: ShipmentStatusEvent) -> ParcelFacts:
    """The facts once `event` is known too (commutative, idempotent)."""
    if event.status not in SCANNED:
        return facts
    at = event.occurred_at
    first_at, first_event, first_location = (
        facts.first_scan_at, facts.first_scan_event, facts.first_scan_location
    )  # fmt: skip
    mine = (at, str(event.event_id))
    if first_at is None or mine < (first_at, str(first_event)):
        first_at, first_event, first_location = at, event.event_id, event.location
    last = at if facts.last_scan_at is None else max(facts.last_scan_at, at)
    delivered = facts.delivered_at
    if event.status is ShipmentStatus.DELIVERED:
        delivered = at if delivered is None else min(delivered, at)
    return ParcelFacts(first_at, first_event, first_location, last, delivered)
