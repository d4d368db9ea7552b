"""Shopify webhooks → order events: pure mapping, no I/O.

Order topics carry the whole Order resource (with its `fulfillments`): they map to a full
snapshot. Fulfillment topics carry one Fulfillment (its `name` is the order's name plus
`.<n>`): they map to a fulfilment event holding that fulfilment's parcels only (see
`suivi_schemas.order_state`). Shopify's own data is taken leniently (a phone that is not E.164,
a locale Suivi cannot read, an unknown country are dropped rather than refusing the order, since
a refused webhook is retried for hours for nothing); only what identifies the order is required.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Iterable, Mapping
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import ValidationError

from suivi_ingest.orders.fields import clean_tracking_number
from suivi_ingest.orders.ids import order_event_id
from suivi_ingest.orders.model import describe
from suivi_ingest.orders.shopify import values as v
from suivi_ingest.orders.shopify.values import ShopifyPayloadError
from suivi_schemas.carriers import ALIASES, canonical_carrier
from suivi_schemas.orders import (
    Customer,
    LineItem,
    OrderEvent,
    OrderEventKind,
    OrderShipment,
    OrderSource,
    ShipmentItem,
)

ORDER_TOPICS = frozenset(
    {
        "orders/create",
        "orders/updated",
        "orders/cancelled",
        "orders/fulfilled",
        "orders/partially_fulfilled",
        "orders/paid",
    }
)
FULFILLMENT_TOPICS = frozenset({"fulfillments/create", "fulfillments/update"})
TOPICS = ORDER_TOPICS | FULFILLMENT_TOPICS
# Fulfillment statuses that mean the parcel will not travel.
_DEAD_FULFILLMENT = frozenset({"cancelled", "error", "failure"})
_FULFILLMENT_NAME = re.compile(r"^(?P<order>.+)\.(?P<n>\d{1,6})$")


def map_webhook(
    topic: str, payload: Mapping[str, Any], merchant_id: str, delivery_id: str | None
) -> OrderEvent:
    """One verified webhook of a topic in `TOPICS` → the order event to publish."""
    if topic in FULFILLMENT_TOPICS:
        return map_fulfillment(
            v.unwrap(payload, "fulfillment", "order_id"), merchant_id, delivery_id
        )
    return map_order(v.unwrap(payload, "order", "id"), merchant_id, delivery_id)


def map_order(
    order: Mapping[str, Any], merchant_id: str, delivery_id: str | None = None
) -> OrderEvent:
    """An Order resource (orders/create, orders/updated, …) → a full snapshot."""
    number = v.required_text(order, "name", "the order's name, e.g. '#1001'")
    placed_at = v.required_time(order, "created_at")
    updated_at = v.time_of(order.get("updated_at"), "updated_at") or placed_at
    customer = v.as_object(order.get("customer"))
    shipping = v.as_object(order.get("shipping_address"))
    billing = v.as_object(order.get("billing_address"))
    fulfillments = order.get("fulfillments")
    shipments: list[OrderShipment] = []
    for n, fulfillment in enumerate(fulfillments if isinstance(fulfillments, list) else []):
        if isinstance(fulfillment, dict):
            shipments += _shipments(fulfillment, f"fulfillments[{n}]", required=False)
    fields: dict[str, Any] = {
        "merchant_id": merchant_id,
        "order_number": number,
        "source": OrderSource.SHOPIFY,
        "kind": OrderEventKind.SNAPSHOT,
        "delivery_id": delivery_id,
        "placed_at": placed_at,
        "updated_at": updated_at,
        "cancelled": order.get("cancelled_at") is not None,
        "customer": Customer(
            email=v.first_email(
                order.get("email"), order.get("contact_email"), customer.get("email")
            ),
            phone=v.first_phone(
                order.get("phone"),
                customer.get("phone"),
                shipping.get("phone"),
                billing.get("phone"),
            ),
            name=v.person(customer) or v.text(shipping.get("name")) or v.text(billing.get("name")),
            locale=v.locale(order.get("customer_locale")),
        ),
        "shipping_address": v.address(shipping) if shipping else None,
        "line_items": tuple(_line_items(order.get("line_items"))),
        "shipments": tuple(_unique(shipments)),
    }
    return _event(fields, "snapshot")


def map_fulfillment(
    fulfillment: Mapping[str, Any], merchant_id: str, delivery_id: str | None = None
) -> OrderEvent:
    """A Fulfillment resource (fulfillments/create, fulfillments/update) → a fulfilment event
    carrying that fulfilment's parcels only, keyed by the order it belongs to."""
    name = v.required_text(fulfillment, "name", "the fulfillment's name, e.g. '#1001.1'")
    match = _FULFILLMENT_NAME.match(name)
    if match is None:
        raise ShopifyPayloadError(
            "name: is not '<order name>.<n>' (e.g. '#1001.1'), so the order is unknown"
        )
    fulfillment_id = v.shopify_id(fulfillment.get("id"))
    if fulfillment_id is None:
        raise ShopifyPayloadError("id: the fulfillment's id is required")
    created_at = v.required_time(fulfillment, "created_at")
    fields: dict[str, Any] = {
        "merchant_id": merchant_id,
        "order_number": match["order"],
        "source": OrderSource.SHOPIFY,
        "kind": OrderEventKind.FULFILLMENT,
        "fulfillment_id": fulfillment_id,
        "delivery_id": delivery_id,
        # Not known from a fulfilment; readers take order fields from snapshots only.
        "placed_at": created_at,
        "updated_at": v.time_of(fulfillment.get("updated_at"), "updated_at") or created_at,
        "customer": Customer(),
        "shipments": tuple(_unique(_shipments(fulfillment, "", required=True))),
    }
    return _event(fields, f"fulfillment|{fulfillment_id}")


def _event(fields: dict[str, Any], scope: str) -> OrderEvent:
    """Validated against the contract. The id covers the mapped content as well as updated_at:
    Shopify's timestamps are to the second, and two states within one second must differ; a
    retried delivery maps to the same content, hence the same id."""
    try:
        draft = OrderEvent.model_validate({**fields, "event_id": uuid.UUID(int=0)})
    except ValidationError as exc:
        raise ShopifyPayloadError(describe(exc)) from None
    content = draft.model_dump_json(exclude={"event_id", "delivery_id"}).encode()
    event_id = order_event_id(
        draft.merchant_id,
        draft.order_number,
        draft.updated_at,
        scope,
        hashlib.sha256(content).hexdigest(),
    )
    return draft.model_copy(update={"event_id": event_id})


def _shipments(
    fulfillment: Mapping[str, Any], where: str, *, required: bool
) -> list[OrderShipment]:
    """One parcel per tracking number of the fulfilment (Shopify does not say which items went
    in which parcel of a multi-parcel fulfilment: each carries the fulfilment's items)."""
    fulfillment_id = v.shopify_id(fulfillment.get("id"))
    if fulfillment_id is None:
        if required:
            raise ShopifyPayloadError(f"{where + '.' if where else ''}id: is required")
        return []
    numbers = fulfillment.get("tracking_numbers")
    if not isinstance(numbers, list) or not numbers:
        numbers = [fulfillment.get("tracking_number")]
    urls = fulfillment.get("tracking_urls")
    urls = urls if isinstance(urls, list) else [fulfillment.get("tracking_url")]
    carrier = _carrier(fulfillment.get("tracking_company"), urls)
    state: Literal["active", "cancelled"] = (
        "cancelled" if fulfillment.get("status") in _DEAD_FULFILLMENT else "active"
    )
    items = tuple(_shipment_items(fulfillment.get("line_items")))
    shipped_at = v.time_of(fulfillment.get("created_at"), "created_at", lenient=True)
    parcels = []
    for raw in numbers:
        if not isinstance(raw, str):
            continue
        try:
            number = clean_tracking_number(raw)
        except ValueError:
            continue  # not a trackable number: nothing to follow
        parcels.append(
            OrderShipment(
                carrier=carrier,
                tracking_number=number,
                state=state,
                items=items,
                shipped_at=shipped_at,
                fulfillment_id=fulfillment_id,
            )
        )
    return parcels


def _unique(shipments: Iterable[OrderShipment]) -> list[OrderShipment]:
    by_key: dict[str, OrderShipment] = {}
    for shipment in shipments:
        kept = by_key.get(shipment.key)
        if kept is None or (kept.state == "cancelled" and shipment.state == "active"):
            by_key[shipment.key] = shipment
    return list(by_key.values())


def _carrier(company: Any, urls: Iterable[Any]) -> str:
    """Shopify's `tracking_company` ('UPS', 'DHL Express', 'Canada Post'), else the carrier
    whose site the tracking URL points to, else 'unknown'."""
    if isinstance(company, str) and company.strip().lower() not in {"", "other"}:
        try:
            return canonical_carrier(company)
        except ValueError:
            pass
    for url in urls:
        if isinstance(url, str):
            host = (urlsplit(url).hostname or "").lower()
            for label in host.split("."):
                known = ALIASES.get(label.replace("-", ""))
                if known is not None:
                    return known
    return "unknown"


def _line_items(value: Any) -> Iterable[LineItem]:
    for item in value if isinstance(value, list) else []:
        if not isinstance(item, dict) or (line_id := v.shopify_id(item.get("id"))) is None:
            continue
        quantity = item.get("current_quantity", item.get("quantity"))
        if not isinstance(quantity, int) or quantity < 1:
            continue  # removed by an order edit
        yield LineItem(
            line_item_id=line_id,
            title=v.text(item.get("title")) or v.text(item.get("name")) or line_id,
            quantity=quantity,
            sku=v.sku(item.get("sku")),
        )


def _shipment_items(value: Any) -> Iterable[ShipmentItem]:
    for item in value if isinstance(value, list) else []:
        if not isinstance(item, dict) or (line_id := v.shopify_id(item.get("id"))) is None:
            continue
        quantity = item.get("quantity")
        if isinstance(quantity, int) and quantity >= 1:
            yield ShipmentItem(line_item_id=line_id, quantity=quantity)
