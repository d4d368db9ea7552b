"""The order API's body, its validation and the merchant keys: pure, no I/O.

A request body is the full order as of `updated_at` (docs/orders.md). It is validated here,
strictly (unknown fields refused, so a misspelt field is not silently lost), with messages that
name the field and never quote the value; then turned into the `OrderEvent` ingest publishes.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import re
import unicodedata
import zoneinfo
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Annotated, Any, Literal, Self

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    EmailStr,
    Field,
    SecretStr,
    StrictBool,
    StrictInt,
    ValidationError,
    model_validator,
)

from suivi_ingest.order_contract import order_event_id
from suivi_ingest.settings import split_secrets
from suivi_schemas.carriers import canonical_carrier
from suivi_schemas.common import CountryCode, identifier
from suivi_schemas.ids import normalize_tracking_number, shipment_key
from suivi_schemas.orders import (
    Address,
    Customer,
    LineItem,
    NotificationOptIns,
    OrderEvent,
    OrderEventKind,
    OrderShipment,
    OrderSource,
    ShipmentItem,
)

# A snapshot dated in the future would stay "the newest" and hide the real next update.
MAX_CLOCK_SKEW = timedelta(minutes=5)
MAX_LINE_ITEMS = 500
MAX_SHIPMENTS = 100
_SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
_E164 = re.compile(r"^\+[1-9]\d{6,14}$")
_PHONE_NOISE = re.compile(r"[\s().\-/]")
_LOCALE = re.compile(r"^([A-Za-z]{2})(?:[-_]([A-Za-z]{2}))?$")
_ZONE_KEY = re.compile(r"^[A-Za-z0-9_+\-]+(?:/[A-Za-z0-9_+\-]+)*$")
_TRACKING = re.compile(r"^[!-~]{1,64}$")  # printable ASCII, no spaces (after normalisation)
_URL = re.compile(r"^https?://[^\s]+$")


# --- field rules, shared with the Shopify mapping ------------------------------------------


def e164(value: str) -> str:
    """`+33 6 12-34-56-78` → `+33612345678`; raises ValueError unless it is E.164."""
    compact = _PHONE_NOISE.sub("", value)
    if compact.startswith("00"):
        compact = "+" + compact[2:]
    if not _E164.match(compact):
        raise ValueError("must be an E.164 phone number, e.g. +33612345678")
    return compact


def locale_tag(value: str) -> str:
    """`fr`, `fr-fr`, `fr_FR` → `fr` / `fr-FR`; raises ValueError otherwise."""
    match = _LOCALE.match(value.strip())
    if match is None:
        raise ValueError("must be a language code such as 'fr' or 'fr-FR'")
    language, region = match.groups()
    return language.lower() if region is None else f"{language.lower()}-{region.upper()}"


@functools.cache
def _iana_zones() -> frozenset[str]:
    # Files some systems keep beside the zones, which are not zones a shopper lives in.
    return frozenset(zoneinfo.available_timezones()) - {"localtime", "posixrules", "Factory"}


@functools.lru_cache(maxsize=1024)
def _known_zone(key: str) -> bool:
    if not _ZONE_KEY.match(key) or len(key) > 64:
        return False
    zones = _iana_zones()
    if zones:
        return key in zones
    try:  # no list on this system: whatever zoneinfo can load
        zoneinfo.ZoneInfo(key)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


def iana_zone(value: str) -> str:
    if not _known_zone(value):
        raise ValueError("must be an IANA time zone such as 'Europe/Paris'")
    return value


def clean_tracking_number(value: str) -> str:
    """Spaces and dashes dropped, upper case: `1z 999-aa1` → `1Z999AA1`."""
    number = normalize_tracking_number(value)
    if not _TRACKING.match(number):
        raise ValueError("must be 1-64 printable ASCII characters (spaces and dashes ignored)")
    return number


def carrier_slug(value: str) -> str:
    """`UPS`, `DHL Express`, `La Poste` → Suivi's slug (`ups`, `dhl`, `laposte`)."""
    try:
        return canonical_carrier(value)
    except ValueError:
        raise ValueError("must name a carrier, e.g. 'ups' or 'La Poste'") from None


def slug(value: str) -> str:
    value = value.strip().lower()
    if not _SLUG.match(value):
        raise ValueError("must be lowercase letters, digits, '-' or '_' (at most 64)")
    return value


# Bidirectional embeddings, overrides and isolates: they can make a text display as another.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _plain_text(value: str) -> str:
    if any(c in _BIDI_CONTROLS or unicodedata.category(c) == "Cc" for c in value):
        raise ValueError("must not contain control characters")
    return value


def _url(value: str) -> str:
    if not _URL.match(value):
        raise ValueError("must be an http(s) URL")
    return value


def _date_time_text(value: object) -> object:
    # The schema says a date-time string; pydantic alone would also take 0 as 1970-01-01.
    if isinstance(value, str | datetime):
        return value
    raise ValueError("must be an RFC 3339 date-time string, e.g. 2026-11-02T09:14:03+01:00")


DateTime = Annotated[AwareDatetime, BeforeValidator(_date_time_text)]
Text = Annotated[str, Field(max_length=500), AfterValidator(_plain_text)]
# Identifiers: the contract's rule too (no invisible character either), so no 500 from it.
Id = Annotated[
    str, Field(min_length=1, max_length=64), AfterValidator(_plain_text), AfterValidator(identifier)
]


# --- the request body -------------------------------------------------------------------------


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class CustomerIn(_Body):
    email: EmailStr | None = None
    phone: Annotated[str, AfterValidator(e164)] | None = None
    name: Text | None = None
    locale: Annotated[str, AfterValidator(locale_tag)] = "en"
    timezone: Annotated[str, AfterValidator(iana_zone)] = Field(
        default="UTC", description="IANA zone, e.g. 'Europe/Paris'."
    )


class NotificationsIn(_Body):
    email: StrictBool = True
    sms: StrictBool = False
    push: StrictBool = False


class AddressIn(_Body):
    name: Text | None = None
    line1: Text | None = None
    line2: Text | None = None
    city: Text | None = None
    postal_code: Annotated[str, Field(max_length=32), AfterValidator(_plain_text)] | None = None
    region: Text | None = None
    country: CountryCode | None = Field(default=None, description="ISO 3166-1 alpha-2.")


class LineItemIn(_Body):
    line_item_id: Id
    title: Annotated[str, Field(min_length=1, max_length=500), AfterValidator(_plain_text)]
    quantity: StrictInt = Field(ge=1, le=100_000)
    sku: (
        Annotated[
            str, Field(max_length=128), AfterValidator(_plain_text), AfterValidator(identifier)
        ]
        | None
    ) = None
    image_url: (
        Annotated[str, Field(max_length=2048), AfterValidator(_url), AfterValidator(identifier)]
        | None
    ) = None


class ShipmentItemIn(_Body):
    line_item_id: Id
    quantity: StrictInt = Field(ge=1, le=100_000)


class ShipmentIn(_Body):
    carrier: Annotated[str, Field(min_length=1, max_length=64), AfterValidator(carrier_slug)]
    tracking_number: Annotated[
        str, Field(min_length=1, max_length=128), AfterValidator(clean_tracking_number)
    ] = Field(description="Spaces, dashes and case are ignored.")
    state: Literal["active", "cancelled"] = "active"
    items: tuple[ShipmentItemIn, ...] = Field(default=(), max_length=MAX_LINE_ITEMS)
    service: Text | None = None
    shipped_at: DateTime | None = None


class OrderIn(_Body):
    """POST /v1/orders: the whole order as of `updated_at`; each request replaces the last."""

    merchant_id: str | None = Field(
        default=None, description="Optional; when given, it must be the API key's merchant."
    )
    order_number: Id = Field(description="The merchant's order number, as the shopper knows it.")
    placed_at: DateTime
    updated_at: DateTime | None = Field(
        default=None,
        description="The version of this snapshot (default: now). Send it so that retries are "
        "the same event; the newest updated_at wins.",
    )
    cancelled: StrictBool = False
    customer: CustomerIn = CustomerIn()
    notifications: NotificationsIn = NotificationsIn()
    shipping_address: AddressIn | None = None
    line_items: tuple[LineItemIn, ...] = Field(default=(), max_length=MAX_LINE_ITEMS)
    shipments: tuple[ShipmentIn, ...] = Field(default=(), max_length=MAX_SHIPMENTS)

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.updated_at is not None and self.updated_at < self.placed_at:
            raise _at(("updated_at",), "is before placed_at")
        lines: dict[str, int] = {}
        for n, line in enumerate(self.line_items):
            if line.line_item_id in lines:
                raise _at(
                    ("line_items", n, "line_item_id"),
                    f"repeats line_items[{lines[line.line_item_id]}]",
                )
            lines[line.line_item_id] = n
        keys: dict[str, int] = {}
        for n, shipment in enumerate(self.shipments):
            key = shipment_key(shipment.carrier, shipment.tracking_number)
            if key in keys:
                raise _at(
                    ("shipments", n),
                    f"same carrier and tracking number as shipments[{keys[key]}]",
                )
            keys[key] = n
            for m, item in enumerate(shipment.items):
                if lines and item.line_item_id not in lines:
                    raise _at(
                        ("shipments", n, "items", m, "line_item_id"),
                        "is not one of the order's line_items",
                    )
        return self


class _LocatedError(ValueError):
    """A model-level error that still names its field (relative to the model)."""

    def __init__(self, loc: tuple[str | int, ...], message: str) -> None:
        super().__init__(message)
        self.loc, self.message = loc, message


def _at(loc: tuple[str | int, ...], message: str) -> _LocatedError:
    return _LocatedError(loc, message)


def location(loc: Sequence[str | int]) -> str:
    """`("shipments", 0, "carrier")` → `shipments[0].carrier`."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text


def describe(exc: ValidationError, prefix: Sequence[str | int] = (), limit: int = 3) -> str:
    """The first errors as `field: what is wrong` (never the submitted value)."""
    errors = exc.errors(include_url=False, include_input=False)
    parts = []
    for error in errors[:limit]:
        loc = [*prefix, *error["loc"]]
        message = error["msg"].removeprefix("Value error, ")
        located = error.get("ctx", {}).get("error")
        if isinstance(located, _LocatedError):
            loc, message = [*loc, *located.loc], located.message
        elif error["type"] == "extra_forbidden":
            message = "unknown field"
        elif error["type"] == "missing":
            message = "is required"
        where = location(loc)
        parts.append(f"{where}: {message}" if where else message)
    if len(errors) > limit:
        parts.append(f"and {len(errors) - limit} more")
    return "; ".join(parts)


def fields_of(exc: ValidationError) -> str:
    """The failing fields only (for logs: no values, no messages)."""
    names = []
    for error in exc.errors(include_url=False, include_input=False)[:3]:
        located = error.get("ctx", {}).get("error")
        extra = located.loc if isinstance(located, _LocatedError) else ()
        names.append(location([*error["loc"], *extra]) or "body")
    return ",".join(names)


def order_event(order: OrderIn, merchant_id: str, now: datetime) -> OrderEvent:
    """The snapshot ingest publishes for a validated request of `merchant_id`."""
    updated_at = order.updated_at or now
    customer = order.customer
    return OrderEvent(
        event_id=order_event_id(merchant_id, order.order_number, updated_at),
        merchant_id=merchant_id,
        order_number=order.order_number,
        source=OrderSource.API,
        kind=OrderEventKind.SNAPSHOT,
        placed_at=order.placed_at,
        updated_at=updated_at,
        cancelled=order.cancelled,
        customer=Customer(
            email=customer.email,
            phone=customer.phone,
            name=customer.name,
            locale=customer.locale,
            timezone=customer.timezone,
        ),
        notifications=NotificationOptIns(**order.notifications.model_dump()),
        shipping_address=(
            Address(**order.shipping_address.model_dump())
            if order.shipping_address is not None
            else None
        ),
        line_items=tuple(LineItem(**line.model_dump()) for line in order.line_items),
        shipments=tuple(
            OrderShipment(
                carrier=s.carrier,
                tracking_number=s.tracking_number,
                state=s.state,
                items=tuple(ShipmentItem(**i.model_dump()) for i in s.items),
                service=s.service,
                shipped_at=s.shipped_at,
            )
            for s in order.shipments
        ),
    )


def check_merchant(payload: dict[str, Any], merchant_id: str) -> str | None:
    """None when the body names no merchant or the key's one; else what is wrong."""
    named = payload.get("merchant_id")
    if named is None:
        return None
    if not isinstance(named, str):
        return "merchant_id must be a string"
    if named.strip().lower() != merchant_id:
        return "merchant_id is not the merchant of this API key"
    return None


# --- merchant API keys ------------------------------------------------------------------------


class MerchantKeys:
    """`merchant:key` pairs; a key is looked up in constant time (SHA-256 digests compared
    with `hmac.compare_digest`, every entry visited whichever matches)."""

    def __init__(self, pairs: Iterable[tuple[str, str]]) -> None:
        self._entries: list[tuple[bytes, str]] = []
        seen: dict[bytes, str] = {}
        for merchant, key in pairs:
            digest = _digest(key)
            if seen.get(digest, merchant) != merchant:
                raise ValueError(
                    f"SUIVI_INGEST_MERCHANT_KEYS: one key is set for both {seen[digest]!r} "
                    f"and {merchant!r}"
                )
            seen[digest] = merchant
            self._entries.append((digest, merchant))

    @classmethod
    def parse(cls, value: SecretStr | None) -> MerchantKeys:
        pairs = []
        for n, entry in enumerate(split_secrets(value), start=1):
            merchant, sep, key = entry.partition(":")
            where = f"SUIVI_INGEST_MERCHANT_KEYS entry {n}"
            if not sep or not key.strip():
                raise ValueError(f"{where} is not 'merchant:key'")
            try:
                pairs.append((slug(merchant), key.strip()))
            except ValueError as exc:
                raise ValueError(f"{where}: merchant id {exc}") from None
        return cls(pairs)

    @property
    def configured(self) -> bool:
        return bool(self._entries)

    @property
    def merchants(self) -> frozenset[str]:
        return frozenset(merchant for _, merchant in self._entries)

    def merchant_of(self, key: str) -> str | None:
        presented = _digest(key)
        found: str | None = None
        for digest, merchant in self._entries:
            if hmac.compare_digest(digest, presented):
                found = merchant
        return found


def _digest(key: str) -> bytes:
    return hashlib.sha256(key.encode("utf-8")).digest()
