"""`tracking.alerts.v1`: episodes computed by the projections (stalled, late, recovered), and
`revised`: the carrier moved its date later than it first said (once per parcel, issue 21).
A `late` alert says whose day was missed: the carrier's or the shop's promise (both optional
fields, added later: absent on older alerts)."""

from __future__ import annotations

import uuid
from datetime import date
from enum import StrEnum
from typing import Literal

from pydantic import AwareDatetime, Field

from suivi_schemas.common import FREE_TEXT_RULE, Contract, FreeText, Identifier, Location, Slug
from suivi_schemas.ids import shipment_key
from suivi_schemas.status import ShipmentStatus


class AlertKind(StrEnum):
    STALLED = "stalled"
    LATE = "late"
    RECOVERED = "recovered"
    REVISED = "revised"  # once per parcel: expected_by is midday (UTC) of the carrier's new day


class PromiseSource(StrEnum):
    """Whose day a `late` alert missed (the earlier of the two when both are known)."""

    CARRIER = "carrier"  # the carrier's (or aggregator's) current estimated delivery day
    MERCHANT = "merchant"  # the day the shop promised on the order (promised_delivery_date)


class ShipmentAlert(Contract):
    """One transition of a stall/late episode; emitted exactly once per episode and kind."""

    schema_version: Literal[1] = 1
    event_id: uuid.UUID = Field(description="Deterministic from the episode and kind.")
    episode_id: uuid.UUID
    kind: AlertKind
    carrier: Slug
    tracking_number: Identifier
    generation: int = Field(
        default=1, ge=1, description="Which parcel of a reused tracking number (1: the first)."
    )
    status: ShipmentStatus = Field(description="The shipment's status when detected.")
    location: Location | None = Field(
        default=None, description="Where the last carrier event happened, when known."
    )
    last_event_at: AwareDatetime
    detected_at: AwareDatetime
    expected_by: AwareDatetime | None = Field(
        default=None,
        description="When the next event (stalled) or delivery (late) was due; for revised, "
        "midday (UTC) of the carrier's new last day.",
    )
    detail: FreeText | None = Field(
        default=None,
        description="Why, in plain words, e.g. 'no event for 5 days; usual at most 3 days'. "
        + FREE_TEXT_RULE,
    )
    promise_source: PromiseSource | None = Field(
        default=None,
        description="Late only: whose day was missed, the carrier's estimate or the shop's "
        "promised day (the earlier of the two counts). Absent on other kinds and older alerts.",
    )
    promised_date: date | None = Field(
        default=None,
        description="Late only: the day that was missed (expected_by is its end everywhere, "
        "UTC-12). Absent on other kinds and older alerts.",
    )

    @property
    def key(self) -> str:
        return shipment_key(self.carrier, self.tracking_number)
