"""Pure order rules (no I/O): an order's parcels (links) and its aggregate status."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from suivi_projections.domain.shipments import Items, Key, key_of
from suivi_schemas import OrderEvent, ShipmentStatus


class OrderStatus(StrEnum):
    """Aggregate over an order's active shipments."""

    CONFIRMED = "confirmed"  # no shipment yet
    PARTIALLY_SHIPPED = "partially_shipped"  # some items not in any shipment yet
    SHIPPED = "shipped"  # every item shipped, nothing moving yet beyond info_received
    IN_TRANSIT = "in_transit"
    OUT_FOR_DELIVERY = "out_for_delivery"
    PARTIALLY_DELIVERED = "partially_delivered"
    DELIVERED = "delivered"
    NEEDS_ATTENTION = "needs_attention"  # an exception, failed attempt, pickup waiting, return …
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class Link:
    """One parcel of an order, as the merchant describes it."""

    key: Key
    position: int
    state: str  # "active" | "cancelled"
    items: Items
    service: str | None
    shipped_at: datetime | None
    anchor: datetime


def links_of(order: OrderEvent) -> tuple[Link, ...]:
    """The order's parcels; one listed twice is merged (items summed, active if either is)."""
    merged: dict[Key, Link] = {}
    for shipment in order.shipments:
        key = key_of(shipment.carrier, shipment.tracking_number)
        items = tuple((i.line_item_id, i.quantity) for i in shipment.items)
        seen = merged.get(key)
        if seen is not None:
            quantities = dict(seen.items)
            for line_item_id, quantity in items:
                quantities[line_item_id] = quantities.get(line_item_id, 0) + quantity
            items = tuple(quantities.items())
            shipped = [t for t in (seen.shipped_at, shipment.shipped_at) if t is not None]
            active = seen.state == "active" or shipment.state == "active"
            seen_service = seen.service or shipment.service
            shipped_at = min(shipped) if shipped else None
            position = seen.position
            state, service = ("active" if active else "cancelled"), seen_service
        else:
            state, service, shipped_at = shipment.state, shipment.service, shipment.shipped_at
            position = len(merged)
        anchor = shipped_at or order.placed_at
        merged[key] = Link(key, position, state, items, service, shipped_at, anchor)
    return tuple(merged.values())


# A shipment the shopper or merchant should look at: stuck, failed, waiting, going back, gone.
ATTENTION_STATUSES: frozenset[ShipmentStatus] = frozenset(
    {
        ShipmentStatus.EXCEPTION,
        ShipmentStatus.DELIVERY_ATTEMPT_FAILED,
        ShipmentStatus.AVAILABLE_FOR_PICKUP,
        ShipmentStatus.RETURNING_TO_SENDER,
        ShipmentStatus.RETURNED_TO_SENDER,
        ShipmentStatus.LOST,
        ShipmentStatus.CANCELLED,
        ShipmentStatus.EXPIRED,
    }
)


@dataclass(frozen=True, slots=True)
class LinkedShipment:
    """What the order status needs of one linked parcel."""

    state: str
    items: Items
    status: ShipmentStatus | None
    action_required: bool


def order_status(
    *, cancelled: bool, line_items: Items, shipments: Sequence[LinkedShipment]
) -> OrderStatus:
    """The order's aggregate status; merchant-cancelled shipments do not count.

    First rule that holds: order cancelled → cancelled; no active shipment → confirmed; an
    active shipment in an attention status or with action required → needs_attention; every
    active shipment delivered and every item shipped → delivered; some delivered →
    partially_delivered; some ordered quantity in no active shipment → partially_shipped (when
    no active shipment lists items, every item counts as shipped); any out_for_delivery →
    out_for_delivery; any in_transit → in_transit; else (pending, info_received, no event yet)
    → shipped.
    """
    if cancelled:
        return OrderStatus.CANCELLED
    active = [s for s in shipments if s.state == "active"]
    if not active:
        return OrderStatus.CONFIRMED
    if any(s.action_required or s.status in ATTENTION_STATUSES for s in active):
        return OrderStatus.NEEDS_ATTENTION
    statuses = {s.status for s in active}
    everything_shipped = _all_items_shipped(line_items, active)
    if ShipmentStatus.DELIVERED in statuses:
        if statuses == {ShipmentStatus.DELIVERED} and everything_shipped:
            return OrderStatus.DELIVERED
        return OrderStatus.PARTIALLY_DELIVERED
    if not everything_shipped:
        return OrderStatus.PARTIALLY_SHIPPED
    if ShipmentStatus.OUT_FOR_DELIVERY in statuses:
        return OrderStatus.OUT_FOR_DELIVERY
    if ShipmentStatus.IN_TRANSIT in statuses:
        return OrderStatus.IN_TRANSIT
    return OrderStatus.SHIPPED


def _all_items_shipped(line_items: Items, active: Sequence[LinkedShipment]) -> bool:
    if not any(s.items for s in active):
        return True
    shipped: dict[str, int] = {}
    for shipment in active:
        for line_item_id, quantity in shipment.items:
            shipped[line_item_id] = shipped.get(line_item_id, 0) + quantity
    return all(shipped.get(line_item_id, 0) >= quantity for line_item_id, quantity in line_items)


# The order is on its way, so a silent or overdue parcel is something to look at.
_WATCHABLE = frozenset(
    {
        OrderStatus.PARTIALLY_SHIPPED,
        OrderStatus.SHIPPED,
        OrderStatus.IN_TRANSIT,
        OrderStatus.OUT_FOR_DELIVERY,
        OrderStatus.PARTIALLY_DELIVERED,
    }
)


def with_watch(status: OrderStatus, *, watched: bool) -> OrderStatus:
    """The stored status, raised to needs_attention while an active parcel is stalled or late.

    The monitor opens and closes those episodes after the write side stored the status, so
    readers combine the two (query/sql.py does the same in SQL for the merchant's list).
    """
    return OrderStatus.NEEDS_ATTENTION if watched and status in _WATCHABLE else status
