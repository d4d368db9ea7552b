"""`commerce.returns.v1`: every change of a return (RMA), keyed `merchant:return_id`.

One event per transition, with a deterministic id (`return_event_id`): a transition published
again after a crash carries the same id, and readers deduplicate on it. Events say what the
return is now (state, items, return parcel, proof of deposit, resolution) so a reader needs no
other event to act on one; they carry no personal data (no name, email, address or comment).
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from enum import StrEnum
from typing import Literal

from pydantic import AwareDatetime, Field

from suivi_schemas.common import Contract, FreeText, Identifier, Location, Slug
from suivi_schemas.ids import derived_event_id


class ReturnState(StrEnum):
    """Where a return is; it only moves forward (see the after-sales domain)."""

    REQUESTED = "requested"
    APPROVED = "approved"
    REJECTED = "rejected"
    DROPPED_OFF = "dropped_off"
    IN_TRANSIT = "in_transit"
    RECEIVED = "received"
    INSPECTED = "inspected"
    REFUNDED = "refunded"
    EXCHANGED = "exchanged"
    EXPIRED = "expired"


class ReturnEventKind(StrEnum):
    """What happened: a state entered, or a fact added without a state change."""

    REQUESTED = "requested"
    APPROVED = "approved"
    REJECTED = "rejected"
    TRACKING_ATTACHED = "tracking_attached"
    DROPPED_OFF = "dropped_off"
    IN_TRANSIT = "in_transit"
    RECEIVED = "received"
    INSPECTED = "inspected"
    REFUNDED = "refunded"
    EXCHANGED = "exchanged"
    REMINDER = "reminder"
    EXPIRED = "expired"


class ReturnMethod(StrEnum):
    DROP_OFF_LABEL = "drop_off_label"  # a label from the merchant, dropped at a carrier/relay
    OWN_SHIPMENT = "own_shipment"  # the shopper ships it their own way


class ReturnItem(Contract):
    line_item_id: Identifier
    sku: Identifier | None = None
    quantity: int = Field(ge=1)
    reason: Slug


class ReturnParcel(Contract):
    carrier: Slug
    tracking_number: Identifier = Field(min_length=1, max_length=64)


class Deposit(Contract):
    """The carrier's first scan of the return parcel: the shopper's proof of deposit."""

    occurred_at: AwareDatetime
    location: Location | None = None


class Resolution(Contract):
    amount: Decimal = Field(ge=0, max_digits=12, decimal_places=2)
    currency: str = Field(pattern=r"^[A-Z]{3}$", description="ISO 4217.")


class ReturnEvent(Contract):
    schema_version: Literal[1] = 1
    event_id: uuid.UUID = Field(description="Deterministic from the return and the transition.")
    kind: ReturnEventKind
    merchant_id: Slug
    return_id: Identifier = Field(description="The RMA number shown to the shopper.")
    order_number: Identifier
    state: ReturnState
    occurred_at: AwareDatetime
    method: ReturnMethod
    items: tuple[ReturnItem, ...]
    locale: str = Field(default="en", description="The shopper's language, for messages.")
    parcel: ReturnParcel | None = None
    deposit: Deposit | None = None
    resolution: Resolution | None = None
    rejection_reason: FreeText | None = None
    drop_off_by: AwareDatetime | None = Field(
        default=None,
        description="While approved and not dropped off: when the return expires (the merchant's "
        "policy), so messages can say by when to drop it off.",
    )

    @property
    def key(self) -> str:
        return f"{self.merchant_id}:{self.return_id}"


def return_event_id(merchant_id: str, return_id: str, kind: str, detail: str = "") -> uuid.UUID:
    """One id per transition: a state is entered once; a fact (tracking) once per value."""
    return derived_event_id("return", merchant_id, return_id, kind, detail)
