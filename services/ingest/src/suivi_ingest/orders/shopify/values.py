"""Shopify's values read leniently (what Suivi cannot use is dropped), what identifies an order
read strictly (`ShopifyPayloadError` naming the field)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from pydantic import AwareDatetime, EmailStr, TypeAdapter, ValidationError

from suivi_ingest.orders.fields import e164, locale_tag
from suivi_schemas.common import identifier
from suivi_schemas.orders import Address

_COUNTRY = re.compile(r"^[A-Za-z]{2}$")
_MAX_TEXT = 500

_aware = TypeAdapter(AwareDatetime)
_email = TypeAdapter(EmailStr)


class ShopifyPayloadError(ValueError):
    """The payload lacks what identifies the order; the message names the field."""


def address(value: Mapping[str, Any]) -> Address:
    country = value.get("country_code")
    return Address(
        name=text(value.get("name")) or person(value),
        line1=text(value.get("address1")),
        line2=text(value.get("address2")),
        city=text(value.get("city")),
        postal_code=text(value.get("zip")),
        region=text(value.get("province_code")) or text(value.get("province")),
        country=country.upper() if isinstance(country, str) and _COUNTRY.match(country) else None,
    )


def person(value: Mapping[str, Any]) -> str | None:
    parts = [text(value.get("first_name")), text(value.get("last_name"))]
    return " ".join(p for p in parts if p) or None


def first_email(*values: Any) -> str | None:
    for value in values:
        if isinstance(value, str) and value.strip():
            try:
                return str(_email.validate_python(value.strip()))
            except ValidationError:
                continue
    return None


def first_phone(*values: Any) -> str | None:
    for value in values:
        if isinstance(value, str) and value.strip():
            try:
                return e164(value)
            except ValueError:
                continue  # Shopify phones are often national: Suivi cannot guess the country
    return None


def locale(value: Any) -> str:
    """Shopify's `customer_locale` ('fr', 'pt-BR', 'es-419', 'zh-CN') → 'fr', 'pt-BR', 'es'…"""
    if isinstance(value, str):
        for candidate in (value, value.split("-")[0]):
            try:
                return locale_tag(candidate)
            except ValueError:
                continue
    return "en"


def unwrap(payload: Mapping[str, Any], wrapper: str, marker: str) -> Mapping[str, Any]:
    """`{"fulfillment": {…}}` is read like `{…}` (some serialisations wrap the resource)."""
    inner = payload.get(wrapper)
    if marker not in payload and isinstance(inner, dict):
        return inner
    return payload


def as_object(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}


def shopify_id(value: Any) -> str | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str) and 0 < len(value.strip()) <= 64:
        return value.strip()
    return None


def sku(value: Any) -> str | None:
    # Optional decoration: one the contract would refuse is dropped, not the whole order.
    found = text(value)
    try:
        return None if found is None else identifier(found)
    except ValueError:
        return None


def text(value: Any) -> str | None:
    if isinstance(value, str) and value.strip():
        return value.strip()[:_MAX_TEXT]
    return None


def required_text(payload: Mapping[str, Any], name: str, what: str) -> str:
    value = text(payload.get(name))
    if value is None:
        raise ShopifyPayloadError(f"{name}: {what} is required")
    return value


def time_of(value: Any, name: str, *, lenient: bool = False) -> datetime | None:
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


def required_time(payload: Mapping[str, Any], name: str) -> datetime:
    value = time_of(payload.get(name), name)
    if value is None:
        raise ShopifyPayloadError(f"{name}: is required")
    return value
