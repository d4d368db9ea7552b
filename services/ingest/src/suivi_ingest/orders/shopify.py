"""Shopify webhooks → order events: verification and mapping, pure functions, no I/O.

Shopify signs the raw body: `X-Shopify-Hmac-SHA256` is the base64 HMAC-SHA256 of it, keyed
with the app's client secret. The topic and the shop travel in headers (`X-Shopify-Topic`,
`X-Shopify-Shop-Domain`), the delivery id in `X-Shopify-Webhook-Id` (the same on retries).

Order topics carry the whole Order resource (with its `fulfillments`): they map to a full
snapshot. Fulfillment topics carry one Fulfillment (its `name` is the order's name plus
`.<n>`): they map to a fulfilment event holding that fulfilment's parcels only (see
`order_contract`). Shopify's own data is taken leniently (a phone that is not E.164, a locale
Suivi cannot read, an unknown country are dropped rather than refusing the order, since a refused
webhook is retried for hours for nothing); only what identifies the order is required.
"""

from __future__ import annotations

import binascii
import hashlib
import hmac
import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import AwareDatetime, EmailStr, TypeAdapter, ValidationError

from suivi_infra.signing import SignatureError
from suivi_ingest.orders.fields import clean_tracking_number, e164, locale_tag, slug
from suivi_ingest.orders.ids import order_event_id
from suivi_ingest.orders.model import describe
from suivi_schemas.carriers import ALIASES, canonical_carrier
from suivi_schemas.common import identifier
from suivi_schemas.orders import (
    Address,
    Customer,
    LineItem,
    OrderEvent,
    OrderEventKind,
    OrderShipment,
    OrderSource,
    ShipmentItem,
)

HMAC_HEADER = "X-Shopify-Hmac-SHA256"
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
_COUNTRY = re.compile(r"^[A-Za-z]{2}$")
_MAX_HEADER_LEN = 4096
_MAX_TEXT = 500

_aware = TypeAdapter(AwareDatetime)
_email = TypeAdapter(EmailStr)


class ShopifyPayloadError(ValueError):
    """The payload lacks what identifies the order; the message names the field."""


# --- authenticity and configuration -----------------------------------------------------------


def shopify_keys(secrets: Iterable[str]) -> tuple[bytes, ...]:
    return tuple(s.encode("utf-8") for s in secrets)


def verify_shopify(body: bytes, header: str | None, keys: Sequence[bytes]) -> None:
    """`X-Shopify-Hmac-SHA256: <base64 HMAC-SHA256(raw body, client secret)>`, constant time."""
    if header is None or not header.strip():
        raise SignatureError(f"missing {HMAC_HEADER} header")
    if len(header) > _MAX_HEADER_LEN:
        raise SignatureError(f"{HMAC_HEADER} header is too long")
    try:
        provided = binascii.a2b_base64(header.strip().encode("ascii"), strict_mode=True)
    except (binascii.Error, UnicodeEncodeError):
        raise SignatureError(f"{HMAC_HEADER}: not base64") from None
    expected = [hmac.digest(k, body, hashlib.sha256) for k in keys]
    if not any(hmac.compare_digest(provided, e) for e in expected):
        raise SignatureError(f"{HMAC_HEADER} does not match the body")


def parse_shops(value: str) -> dict[str, str]:
    """`a.myshopify.com:shop-a,b.myshopify.com:shop-b` → {shop domain: merchant id}."""
    shops: dict[str, str] = {}
    for n, entry in enumerate((e.strip() for e in value.split(",")), start=1):
        if not entry:
            continue
        domain, sep, merchant = entry.rpartition(":")
        domain = domain.strip().lower()
        where = f"SUIVI_INGEST_SHOPIFY_SHOPS entry {n}"
        if not sep or not domain or " " in domain:
            raise ValueError(f"{where} is not 'shop.myshopify.com:merchant'")
        try:
            merchant_id = slug(merchant)
        except ValueError as exc:
            raise ValueError(f"{where}: merchant id {exc}") from None
        if shops.get(domain, merchant_id) != merchant_id:
            raise ValueError(f"{where}: {domain} is already mapped to {shops[domain]!r}")
        shops[domain] = merchant_id
    return shops


# --- mapping ------------------------------------------------------------------------------------


def map_webhook(
    topic: str, payload: Mapping[str, Any], merchant_id: str, delivery_id: str | None
) -> OrderEvent:
    """One verified webhook of a topic in `TOPICS` → the order event to publish."""
    if topic in FULFILLMENT_TOPICS:
        return map_fulfillment(
            _unwrap(payload, "fulfillment", "order_id"), merchant_id, delivery_id
        )
    return map_order(_unwrap(payload, "order", "id"), merchant_id, delivery_id)


def map_order(
    order: Mapping[str, Any], merchant_id: str, delivery_id: str | None = None
) -> OrderEvent:
    """An Order resource (orders/create, orders/updated, …) → a full snapshot."""
    number = _required_text(order, "name", "the order's name, e.g. '#1001'")
    placed_at = _required_time(order, "created_at")
    updated_at = _time(order.get("updated_at"), "updated_at") or placed_at
    customer = _object(order.get("customer"))
    shipping = _object(order.get("shipping_address"))
    billing = _object(order.get("billing_address"))
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
            email=_first_email(
                order.get("email"), order.get("contact_email"), customer.get("email")
            ),
            phone=_first_phone(
                order.get("phone"),
                customer.get("phone"),
                shipping.get("phone"),
                billing.get("phone"),
            ),
            name=_person(customer) or _text(shipping.get("name")) or _text(billing.get("name")),
            locale=_locale(order.get("customer_locale")),
        ),
        "shipping_address": _address(shipping) if shipping else None,
        "line_items": tuple(_line_items(order.get("line_items"))),
        "shipments": tuple(_unique(shipments)),
    }
    return _event(fields, "snapshot")


def map_fulfillment(
    fulfillment: Mapping[str, Any], merchant_id: str, delivery_id: str | None = None
) -> OrderEvent:
    """A Fulfillment resource (fulfillments/create, fulfillments/update) → a fulfilment event
    carrying that fulfilment's parcels only, keyed by the order it belongs to."""
    name = _required_text(fulfillment, "name", "the fulfillment's name, e.g. '#1001.1'")
    match = _FULFILLMENT_NAME.match(name)
    if match is None:
        raise ShopifyPayloadError(
            "name: is not '<order name>.<n>' (e.g. '#1001.1'), so the order is unknown"
        )
    fulfillment_id = _id(fulfillment.get("id"))
    if fulfillment_id is None:
        raise ShopifyPayloadError("id: the fulfillment's id is required")
    created_at = _required_time(fulfillment, "created_at")
    fields: dict[str, Any] = {
        "merchant_id": merchant_id,
        "order_number": match["order"],
        "source": OrderSource.SHOPIFY,
        "kind": OrderEventKind.FULFILLMENT,
        "fulfillment_id": fulfillment_id,
        "delivery_id": delivery_id,
        # Not known from a fulfilment; readers take order fields from snapshots only.
        "placed_at": created_at,
        "updated_at": _time(fulfillment.get("updated_at"), "updated_at") or created_at,
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
    fulfillment_id = _id(fulfillment.get("id"))
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
    shipped_at = _time(fulfillment.get("created_at"), "created_at", lenient=True)
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
        if not isinstance(item, dict) or (line_id := _id(item.get("id"))) is None:
            continue
        quantity = item.get("current_quantity", item.get("quantity"))
        if not isinstance(quantity, int) or quantity < 1:
            continue  # removed by an order edit
        yield LineItem(
            line_item_id=line_id,
            title=_text(item.get("title")) or _text(item.get("name")) or line_id,
            quantity=quantity,
            sku=_sku(item.get("sku")),
        )


def _shipment_items(value: Any) -> Iterable[ShipmentItem]:
    for item in value if isinstance(value, list) else []:
        if not isinstance(item, dict) or (line_id := _id(item.get("id"))) is None:
            continue
        quantity = item.get("quantity")
        if isinstance(quantity, int) and quantity >= 1:
            yield ShipmentItem(line_item_id=line_id, quantity=quantity)


def _address(value: Mapping[str, Any]) -> Address:
    country = value.get("country_code")
    return Address(
        name=_text(value.get("name")) or _person(value),
        line1=_text(value.get("address1")),
        line2=_text(value.get("address2")),
        city=_text(value.get("city")),
        postal_code=_text(value.get("zip")),
        region=_text(value.get("province_code")) or _text(value.get("province")),
        country=country.upper() if isinstance(country, str) and _COUNTRY.match(country) else None,
    )


def _person(value: Mapping[str, Any]) -> str | None:
    parts = [_text(value.get("first_name")), _text(value.get("last_name"))]
    return " ".join(p for p in parts if p) or None


def _first_email(*values: Any) -> str | None:
    for value in values:
        if isinstance(value, str) and value.strip():
            try:
                return str(_email.validate_python(value.strip()))
            except ValidationError:
                continue
    return None


def _first_phone(*values: Any) -> str | None:
    for value in values:
        if isinstance(value, str) and value.strip():
            try:
                return e164(value)
            except ValueError:
                continue  # Shopify phones are often national: Suivi cannot guess the country
    return None


def _locale(value: Any) -> str:
    """Shopify's `customer_locale` ('fr', 'pt-BR', 'es-419', 'zh-CN') → 'fr', 'pt-BR', 'es'…"""
    if isinstance(value, str):
        for candidate in (value, value.split("-")[0]):
            try:
                return locale_tag(candidate)
            except ValueError:
                continue
    return "en"


def _unwrap(payload: Mapping[str, Any], wrapper: str, marker: str) -> Mapping[str, Any]:
    """`{"fulfillment": {…}}` is read like `{…}` (some serialisations wrap the resource)."""
    inner = payload.get(wrapper)
    if marker not in payload and isinstance(inner, dict):
        return inner
    return payload


def _object(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}


def _id(value: Any) -> str | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str) and 0 < len(value.strip()) <= 64:
        return value.strip()
    return None


def _sku(value: Any) -> str | None:
    # Optional decoration: one the contract would refuse is dropped, not the whole order.
    text = _text(value)
    try:
        return None if text is None else identifier(text)
    except ValueError:
        return None


def _text(value: Any) -> str | None:
    if isinstance(value, str) and value.strip():
        return value.strip()[:_MAX_TEXT]
    return None


def _required_text(payload: Mapping[str, Any], name: str, what: str) -> str:
    value = _text(payload.get(name))
    if value is None:
        raise ShopifyPayloadError(f"{name}: {what} is required")
    return value


def _time(value: Any, name: str, *, lenient: bool = False) -> datetime | None:
    if value is None:
        return None
    try:
        return _aware.validate_python(value)
    except ValidationError:
        if lenient:
            return None
        raise ShopifyPayloadError(
            f"{name}: must be an ISO 8601 date and time with an offset"
        ) from None


def _required_time(payload: Mapping[str, Any], name: str) -> datetime:
    value = _time(payload.get(name), name)
    if value is None:
        raise ShopifyPayloadError(f"{name}: is required")
    return value
