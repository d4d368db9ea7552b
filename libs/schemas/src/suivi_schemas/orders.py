"""`commerce.orders.v1`: orders and their fulfilments, as merchants (API, Shopify) tell them.

Each event is a full snapshot of the order at `updated_at`; readers keep the newest snapshot,
so re-delivered or reordered snapshots never roll an order back.
"""

from __future__ import annotations

import uuid
from enum import StrEnum
from typing import Literal

from pydantic import AwareDatetime, EmailStr, Field

from suivi_schemas.common import Contract, CountryCode, Slug
from suivi_schemas.ids import shipment_key


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
    name: str | None = None
    locale: str = Field(default="en", pattern=r"^[a-z]{2}(-[A-Z]{2})?$")
    timezone: str = Field(default="UTC", description="IANA zone, e.g. 'Europe/Paris'.")


class Address(Contract):
    """Private: shown only on the private status page, never on a shareable one."""

    name: str | None = None
    line1: str | None = None
    line2: str | None = None
    city: str | None = None
    postal_code: str | None = None
    region: str | None = None
    country: CountryCode | None = None


class LineItem(Contract):
    line_item_id: str
    title: str
    quantity: int = Field(ge=1)
    sku: str | None = None
    image_url: str | None = None


class ShipmentItem(Contract):
    line_item_id: str
    quantity: int = Field(ge=1)


class OrderShipment(Contract):
    """One parcel of the order, as fulfilled by the merchant."""

    carrier: Slug
    tracking_number: str = Field(min_length=1, max_length=64)
    state: Literal["active", "cancelled"] = "active"
    items: tuple[ShipmentItem, ...] = ()
    service: str | None = None
    shipped_at: AwareDatetime | None = None

    @property
    def key(self) -> str:
        return shipment_key(self.carrier, self.tracking_number)


class OrderEvent(Contract):
    """The whole order as of `updated_at`."""

    schema_version: Literal[1] = 1
    event_id: uuid.UUID
    merchant_id: Slug
    order_number: str = Field(min_length=1, max_length=64)
    source: OrderSource
    placed_at: AwareDatetime
    updated_at: AwareDatetime
    cancelled: bool = False
    customer: Customer
    notifications: NotificationOptIns = NotificationOptIns()
    shipping_address: Address | None = None
    line_items: tuple[LineItem, ...] = ()
    shipments: tuple[OrderShipment, ...] = ()

    @property
    def key(self) -> str:
        return f"{self.merchant_id}:{self.order_number}"
