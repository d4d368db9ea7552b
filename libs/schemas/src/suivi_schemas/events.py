"""`tracking.status.v1`: the canonical shipment-status event, one per carrier checkpoint, and one
per change of the carrier's delivery estimate that came without a new checkpoint (an estimate
revision: the same checkpoint again, with `revision_of` set and its own estimate-aware id)."""

from __future__ import annotations

import uuid
from typing import Literal

from pydantic import AwareDatetime, Field

from suivi_schemas.common import (
    FREE_TEXT_RULE,
    IDENTIFIER_RULE,
    Contract,
    EstimatedDelivery,
    FreeText,
    Identifier,
    Location,
    Slug,
)
from suivi_schemas.ids import shipment_key
from suivi_schemas.status import Reason, ShipmentStatus, Substatus, TimeBasis


class ShipmentStatusEvent(Contract):
    """What happened to a shipment at one checkpoint, in Suivi's vocabulary."""

    schema_version: Literal[1] = 1
    event_id: uuid.UUID = Field(
        description="Deterministic (UUIDv5 of carrier, tracking number, instant, code, place): "
        "the same carrier checkpoint always has the same id."
    )
    provider: Slug = Field(description="Who told us: easypost, aftership, ups, suivi, …")
    carrier: Slug = Field(description="Who carries the parcel: usps, ups, fedex, dhl, laposte, …")
    tracking_number: Identifier = Field(min_length=1, max_length=64, description=IDENTIFIER_RULE)
    status: ShipmentStatus
    substatus: Substatus | None = None
    action_required: bool = Field(
        default=False, description="The shopper must act (pick up, pay duties, fix the address…)."
    )
    reason: Reason | None = None
    raw_code: FreeText | None = Field(
        default=None, description="The provider's own status/event code. " + FREE_TEXT_RULE
    )
    raw_message: FreeText | None = Field(
        default=None, description="The provider's text, unchanged. " + FREE_TEXT_RULE
    )
    location: Location | None = None
    occurred_at: AwareDatetime = Field(description="When it happened, with the offset given.")
    time_basis: TimeBasis | None = Field(
        default=None,
        description="What placed occurred_at: the provider's offset, or for a local time without "
        "one the checkpoint's city, region or country, the shipment's country, else UTC.",
    )
    estimated_delivery: EstimatedDelivery | None = None
    revision_of: uuid.UUID | None = Field(
        default=None,
        # Left out when absent: a checkpoint's bytes stay what they were before revisions.
        exclude_if=lambda v: v is None,
        description="Set on an estimate revision: the carrier changed estimated_delivery without "
        "a new checkpoint. The event repeats that checkpoint (status, place, instant) with the "
        "new estimate; revision_of is the checkpoint's own event_id, and event_id is "
        "estimate_event_id(revision_of, estimate), so a replayed revision keeps its id. Consumers "
        "that follow statuses only may skip these events; absent on every checkpoint.",
    )
    received_at: AwareDatetime = Field(description="When ingest received the webhook.")
    raw_event_id: uuid.UUID = Field(description="The RawProviderEvent this came from.")

    @property
    def key(self) -> str:
        """Kafka key: keeps one shipment's events in one partition, in order."""
        return shipment_key(self.carrier, self.tracking_number)
