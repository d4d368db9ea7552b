"""The order events ingest publishes: `OrderEvent` plus the fields proposed for its next revision.

Shopify's fulfilment webhooks do not carry the whole order. Besides full snapshots
(`kind="snapshot"`: the contract as it stands), ingest therefore publishes *fulfilment events*
(`kind="fulfillment"`) that carry only the parcels of one fulfilment. The models below add,
additively, what the contract needs for that: `Contract` ignores unknown fields, so a reader
that parses with today's `OrderEvent` still reads every event (and must not yet treat a
fulfilment event as a whole order: see `merge`). They are meant to move into
`suivi_schemas.orders` (docs/orders.md, "Contract change"); until then readers may parse with
`ExtendedOrderEvent` from here.

`OrderState` / `merge` are the reference of how a reader combines both kinds so that the order
ends the same whatever order the events arrive in.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Self

from pydantic import Field, model_validator

from suivi_schemas.ids import derived_event_id
from suivi_schemas.orders import OrderEvent, OrderShipment


class OrderEventKind(StrEnum):
    SNAPSHOT = "snapshot"  # the whole order as of updated_at (today's contract)
    FULFILLMENT = "fulfillment"  # only the parcels of one fulfilment, as of updated_at


class ExtendedOrderShipment(OrderShipment):
    fulfillment_id: str | None = Field(
        default=None,
        max_length=64,
        description="The merchant's fulfilment this parcel belongs to (Shopify's fulfillment "
        "id); None for parcels that only full snapshots describe (the order API).",
    )


class ExtendedOrderEvent(OrderEvent):
    """`OrderEvent` with `kind`, `fulfillment_id` and `delivery_id` (proposed additions).

    For `kind="fulfillment"` only `merchant_id`, `order_number`, `updated_at`, `fulfillment_id`
    and `shipments` (all of that fulfilment, possibly none) mean anything; the other fields hold
    the contract's defaults (`placed_at` is the fulfilment's creation) and readers ignore them.
    """

    kind: OrderEventKind = OrderEventKind.SNAPSHOT
    fulfillment_id: str | None = Field(default=None, max_length=64)
    delivery_id: str | None = Field(
        default=None,
        max_length=256,
        description="The sender's id of the delivery (Shopify's X-Shopify-Webhook-Id).",
    )
    shipments: tuple[ExtendedOrderShipment, ...] = ()

    @model_validator(mode="after")
    def _scoped(self) -> Self:
        if self.kind is OrderEventKind.FULFILLMENT:
            if self.fulfillment_id is None:
                raise ValueError("a fulfillment event names its fulfillment_id")
            if any(s.fulfillment_id != self.fulfillment_id for s in self.shipments):
                raise ValueError("a fulfillment event carries only that fulfilment's shipments")
        elif self.fulfillment_id is not None:
            raise ValueError("fulfillment_id is only set on fulfillment events")
        return self


def instant(at: datetime) -> str:
    """One spelling per instant: `10:00+01:00` and `09:00Z` give the same ids."""
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def order_event_id(
    merchant_id: str, order_number: str, updated_at: datetime, *extra: str
) -> uuid.UUID:
    """UUIDv5 of merchant, order number and updated_at (and, for Shopify, what else tells two
    deliveries apart): a retried request is the same event, so consumers deduplicate on it."""
    return derived_event_id("order", merchant_id, order_number, instant(updated_at), *extra)


def extend(event: OrderEvent) -> ExtendedOrderEvent:
    """Any order event as an extended one (a plain `OrderEvent` is a snapshot)."""
    if isinstance(event, ExtendedOrderEvent):
        return event
    return ExtendedOrderEvent.model_validate(event.model_dump())


def _version(event: ExtendedOrderEvent) -> tuple[datetime, str]:
    # Equal updated_at: the larger event id wins, so every reader converges whatever the order.
    return (event.updated_at, str(event.event_id))


@dataclass(frozen=True, slots=True)
class OrderState:
    """What a reader keeps per `merchant:order_number`: the newest snapshot, and the newest
    fulfilment event per fulfilment id."""

    snapshot: ExtendedOrderEvent | None = None
    fulfillments: Mapping[str, ExtendedOrderEvent] = field(default_factory=dict)

    def apply(self, event: OrderEvent) -> OrderState:
        new = extend(event)
        if new.kind is OrderEventKind.SNAPSHOT:
            if self.snapshot is not None and _version(new) <= _version(self.snapshot):
                return self
            return OrderState(new, self.fulfillments)
        assert new.fulfillment_id is not None  # the model guarantees it
        known = self.fulfillments.get(new.fulfillment_id)
        if known is not None and _version(new) <= _version(known):
            return self
        return OrderState(self.snapshot, {**self.fulfillments, new.fulfillment_id: new})

    def merge(self) -> ExtendedOrderEvent | None:
        """The order as readers show it; None until a snapshot arrived.

        Order fields come from the newest snapshot. A fulfilment's parcels come from its newest
        fulfilment event when that is not older than the snapshot, else from the snapshot
        (which, being newer, is authoritative: a fulfilment it no longer lists is gone). Parcels
        without a fulfilment id belong to snapshots only. One entry per shipment key: an active
        parcel beats a cancelled one.
        """
        snapshot = self.snapshot
        if snapshot is None:
            return None
        fresher = {
            fid: event
            for fid, event in sorted(self.fulfillments.items())
            if event.updated_at >= snapshot.updated_at
        }
        parcels = [s for s in snapshot.shipments if s.fulfillment_id not in fresher]
        parcels += [s for event in fresher.values() for s in event.shipments]
        by_key: dict[str, ExtendedOrderShipment] = {}
        for parcel in parcels:
            kept = by_key.get(parcel.key)
            if kept is None or (kept.state == "cancelled" and parcel.state == "active"):
                by_key[parcel.key] = parcel
        return snapshot.model_copy(update={"shipments": tuple(by_key.values())})
