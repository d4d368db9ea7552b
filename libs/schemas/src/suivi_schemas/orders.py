"""`commerce.orders.v1`: orders and their fulfilments, as merchants (API, Shopify) tell them.

Two kinds of event, both keyed `merchant:order_number`:
- `snapshot`: the whole order as of `updated_at` (the order API, Shopify order topics);
- `fulfillment`: only the parcels of one fulfilment (Shopify fulfilment topics, which do not
  carry the order).
Readers combine them with `suivi_schemas.order_state.OrderState`, which ends in the same order
whatever the arrival order; re-delivered or reordered events never roll an order back.
"""

from __future__ import annotations

import uuid
from datetime import date
from enum import StrEnum
from typing import Literal, Self

from pydantic import AwareDatetime, EmailStr, Field, model_validator

from suivi_schemas.common import (
    IDENTIFIER_RULE,
    Contract,
    CountryCode,
    FreeText,
    Identifier,
    Slug,
)
from suivi_schemas.ids import shipment_key


class OrderEventKind(StrEnum):
    SNAPSHOT = "snapshot"  # the whole order as of updated_at
    FULFILLMENT = "fulfillment"  # only the parcels of one fulfilment, as of updated_at


class OrderSource(StrEnum):
    API = "api"
    SHOPIFY = "shopify"


class NotificationOptIns(Contract):
    """Channels the shopper agreed to be told on."""

    email: bool = True
    sms: bool = False
    push: bool = False


class Customer(Contract):
    email: EmailStr | None = None
    phone: str | None = Field(default=None, pattern=r"^\+[1-9]\d{6,14}$", description="E.164.")
    name: FreeText | None = None
    locale: str = Field(default="en", pattern=r"^[a-z]{2}(-[A-Z]{2})?$")
    timezone: Identifier = Field(default="UTC", description="IANA zone, e.g. 'Europe/Paris'.")


class Address(Contract):
    """Private: shown only on the private status page, never on a shareable one."""

    name: FreeText | None = None
    line1: FreeText | None = None
    line2: FreeText | None = None
    city: FreeText | None = None
    postal_code: FreeText | None = None
    region: FreeText | None = None
    country: CountryCode | None = None


class LineItem(Contract):
    line_item_id: Identifier
    title: FreeText
    quantity: int = Field(ge=1)
    sku: Identifier | None = None
    image_url: Identifier | None = None


class ShipmentItem(Contract):
    line_item_id: Identifier
    quantity: int = Field(ge=1)


class OrderShipment(Contract):
    """One parcel of the order, as fulfilled by the merchant."""

    carrier: Slug
    tracking_number: Identifier = Field(min_length=1, max_length=64, description=IDENTIFIER_RULE)
    state: Literal["active", "cancelled"] = "active"
    items: tuple[ShipmentItem, ...] = ()
    service: FreeText | None = None
    shipped_at: AwareDatetime | None = None
    fulfillment_id: Identifier | None = Field(
        default=None,
        max_length=64,
        description="The merchant's fulfilment this parcel belongs to (Shopify's fulfillment "
        "id); None for parcels that only snapshots describe (the order API).",
    )

    @property
    def key(self) -> str:
        return shipment_key(self.carrier, self.tracking_number)


class OrderEvent(Contract):
    """An order snapshot, or one fulfilment's parcels (see the module docstring).

    For `kind="fulfillment"` only `merchant_id`, `order_number`, `updated_at`, `fulfillment_id`
    and `shipments` mean anything; the other fields hold defaults and readers ignore them.
    """

    schema_version: Literal[1] = 1
    event_id: uuid.UUID
    merchant_id: Slug
    order_number: Identifier = Field(min_length=1, max_length=64, description=IDENTIFIER_RULE)
    source: OrderSource
    placed_at: AwareDatetime
    updated_at: AwareDatetime
    cancelled: bool = False
    customer: Customer
    notifications: NotificationOptIns = NotificationOptIns()
    shipping_address: Address | None = None
    line_items: tuple[LineItem, ...] = ()
    shipments: tuple[OrderShipment, ...] = ()
    kind: OrderEventKind = OrderEventKind.SNAPSHOT
    fulfillment_id: Identifier | None = Field(default=None, max_length=64)
    delivery_id: Identifier | None = Field(
        default=None,
        max_length=256,
        description="The sender's id of the delivery (Shopify's X-Shopify-Webhook-Id).",
    )
    promised_delivery_date: date | None = Field(
        default=None,
        description="The day the merchant promised the shopper delivery by (at checkout), a "
        "calendar day in the destination's terms; None when no date was promised. Additive: "
        "readers of older events see None. Only snapshots carry it.",
    )

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

    @property
    def key(self) -> str:
        return f"{self.merchant_id}:{self.order_number}"
