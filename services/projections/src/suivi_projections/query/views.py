"""What the query side reads: read-model views and the ReadModel port.

The write side (projector + PostgreSQL repository) produces these; the API and the status
page consume them through `ReadModel`, so each side can be tested with a fake of the other.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any, Protocol

from suivi_projections.domain.orders import OrderStatus
from suivi_schemas import EstimatedDelivery, Location, Reason, ShipmentStatus, Substatus
from suivi_schemas.ids import normalize_tracking_number


class Watch(StrEnum):
    """An open episode of the monitor (see domain/watch.py): late wins over stalled."""

    STALLED = "stalled"  # no carrier event for longer than usual in its situation
    LATE = "late"  # past the carrier's day or the shop's promised day (the earlier), not delivered


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    event_id: str
    occurred_at: datetime
    status: ShipmentStatus
    substatus: Substatus | None
    message: str | None
    location: Location | None
    action_required: bool


@dataclass(frozen=True, slots=True)
class ShipmentItemView:
    line_item_id: str
    title: str
    quantity: int
    image_url: str | None = None


@dataclass(frozen=True, slots=True)
class EstimateStory:
    """Beside the shown estimate (issue 21): the carrier's first one and how often it changed,
    and our current prediction's likeliest day and confidence (0..1)."""

    original: EstimatedDelivery | None = None
    revisions: int = 0
    earliest: date | None = None  # our current prediction's window and likeliest day
    latest: date | None = None
    likeliest: date | None = None
    confidence: float | None = None
    trending_late: bool = False  # our prediction passed the promised day, not yet missed


@dataclass(frozen=True, slots=True)
class ShipmentView:
    carrier: str
    tracking_number: str
    state: str  # "active" | "cancelled" (as the merchant says) ; "unlinked" when no order knows it
    status: ShipmentStatus | None  # None: no carrier event yet
    substatus: Substatus | None
    action_required: bool
    reason: Reason | None
    last_event_at: datetime | None
    last_message: str | None
    last_location: Location | None
    estimated_delivery: EstimatedDelivery | None
    delivered_at: datetime | None
    items: tuple[ShipmentItemView, ...]
    timeline: tuple[TimelineEntry, ...]  # newest first
    watch: Watch | None = None
    estimate_story: EstimateStory | None = None


@dataclass(frozen=True, slots=True)
class LineItemView:
    line_item_id: str
    title: str
    quantity: int
    sku: str | None = None
    image_url: str | None = None


@dataclass(frozen=True, slots=True)
class OrderView:
    """Everything the private page shows. The shareable page must drop the PII fields."""

    merchant_id: str
    order_number: str
    placed_at: datetime
    updated_at: datetime
    status: OrderStatus
    cancelled: bool
    locale: str
    timezone: str
    status_token: str
    share_token: str
    line_items: tuple[LineItemView, ...]
    shipments: tuple[ShipmentView, ...]
    # Personal data: private page and merchant API only, never on /s/{share_token}.
    customer_email: str | None
    customer_phone: str | None
    customer_name: str | None
    shipping_address: dict[str, Any] | None
    # The day the merchant promised at checkout (commerce.orders.v1), if any.
    promised_delivery_date: date | None = None


@dataclass(frozen=True, slots=True)
class OrderSummary:
    merchant_id: str
    order_number: str
    placed_at: datetime
    updated_at: datetime
    status: OrderStatus
    shipments: int


@dataclass(frozen=True, slots=True)
class OrderPage:
    orders: tuple[OrderSummary, ...]
    next_cursor: str | None


def lookup_keys(typed: str) -> tuple[str, str]:
    """What a shopper typed → (order number without a leading '#', as a tracking number)."""
    text = typed.strip()
    return text.removeprefix("#").strip(), normalize_tracking_number(text)


class ReadModel(Protocol):
    """Read access to the projections; every method is one round trip or a few."""

    async def order_by_status_token(self, token: str) -> OrderView | None: ...

    async def order_by_share_token(self, token: str) -> OrderView | None: ...

    async def order_for_lookup(self, merchant_id: str, order_number: str) -> tuple[str, str] | None:
        """(normalized customer email, status token) — the caller compares emails in constant
        time and answers identically whether the order or the email is wrong. `order_number`
        is what the shopper typed: an order number in any case, with or without '#', or a
        tracking number of one of the merchant's parcels (an order number wins)."""
        ...

    async def order_by_number(self, merchant_id: str, order_number: str) -> OrderView | None: ...

    async def orders(
        self, merchant_id: str, status: OrderStatus | None, cursor: str | None, limit: int
    ) -> OrderPage: ...

    async def shipment(self, carrier: str, tracking_number: str) -> ShipmentView | None:
        """The newest parcel with this key, whoever's it is (no merchant scope)."""
        ...

    async def shipment_for_merchant(
        self, merchant_id: str, carrier: str, tracking_number: str
    ) -> ShipmentView | None:
        """The newest parcel with this key among the merchant's own orders: a merchant never
        reads another's parcel, even one with the same number."""
        ...
