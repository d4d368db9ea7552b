"""The order API's body (`OrderIn` and friends), its validation messages and `order_event()`:
pure, no I/O.

A request body is the full order as of `updated_at` (docs/orders.md). It is validated here,
strictly (unknown fields refused, so a misspelt field is not silently lost), with messages that
name the field and never quote the value; then turned into the `OrderEvent` ingest publishes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Annotated, Literal, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    StrictBool,
    StrictInt,
    ValidationError,
    model_validator,
)

from suivi_ingest.orders.fields import (
    DateTime,
    Day,
    Id,
    Text,
    carrier_slug,
    clean_tracking_number,
    e164,
    http_url,
    iana_zone,
    locale_tag,
    plain_text,
)
from suivi_ingest.orders.ids import order_event_id
from suivi_schemas.common import CountryCode, identifier
from suivi_schemas.ids import shipment_key
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
    postal_code: Annotated[str, Field(max_length=32), AfterValidator(plain_text)] | None = None
    region: Text | None = None
    country: CountryCode | None = Field(default=None, description="ISO 3166-1 alpha-2.")


class LineItemIn(_Body):
    line_item_id: Id
    title: Annotated[str, Field(min_length=1, max_length=500), AfterValidator(plain_text)]
    quantity: StrictInt = Field(ge=1, le=100_000)
    sku: (
        Annotated[
            str, Field(max_length=128), AfterValidator(plain_text), AfterValidator(identifier)
        ]
        | None
    ) = None
    image_url: (
        Annotated[str, Field(max_length=2048), AfterValidator(http_url), AfterValidator(identifier)]
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
    promised_delivery_date: Day | None = Field(
        default=None,
        description="The day promised to the shopper at checkout (YYYY-MM-DD, the destination's "
        "calendar); the parcel is flagged when our prediction passes it.",
    )

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.updated_at is not None and self.updated_at < self.placed_at:
            raise _at(("updated_at",), "is before placed_at")
        promised = self.promised_delivery_date
        # A day apart at most between the offset of placed_at and the destination's calendar.
        if promised is not None and promised < (self.placed_at - timedelta(days=1)).date():
            raise _at(("promised_delivery_date",), "is before placed_at")
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
        promised_delivery_date=order.promised_delivery_date,
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
