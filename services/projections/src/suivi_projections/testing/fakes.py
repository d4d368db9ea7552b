"""Test support for the query side: an in-memory `ReadModel` and sample orders."""

from __future__ import annotations

import base64
import dataclasses
from datetime import UTC, date, datetime, timedelta
from typing import Any

from suivi_projections.domain.orders import OrderStatus, with_watch
from suivi_projections.domain.shipments import key_of
from suivi_projections.query.views import (
    LineItemView,
    OrderPage,
    OrderSummary,
    OrderView,
    ShipmentItemView,
    ShipmentView,
    TimelineEntry,
    lookup_keys,
)
from suivi_schemas import EstimatedDelivery, EstimateSource, Location, ShipmentStatus, Substatus


class FakeReadModel:
    """`ReadModel` over a dict of orders; `put` replaces an order."""

    def __init__(self, *orders: OrderView) -> None:
        self._orders: dict[tuple[str, str], OrderView] = {}
        self.calls = 0
        for order in orders:
            self.put(order)

    def put(self, order: OrderView) -> None:
        """Stores the order as PostgresReadModel reads it: a stalled or late parcel raises it."""
        watched = any(s.watch is not None and s.state == "active" for s in order.shipments)
        order = dataclasses.replace(order, status=with_watch(order.status, watched=watched))
        self._orders[(order.merchant_id, order.order_number)] = order

    def update(self, order: OrderView, **changes: Any) -> OrderView:
        changed = dataclasses.replace(order, **changes)
        self.put(changed)
        return changed

    async def order_by_status_token(self, token: str) -> OrderView | None:
        self.calls += 1
        return next((o for o in self._orders.values() if o.status_token == token), None)

    async def order_by_share_token(self, token: str) -> OrderView | None:
        self.calls += 1
        return next((o for o in self._orders.values() if o.share_token == token), None)

    async def order_for_lookup(self, merchant_id: str, order_number: str) -> tuple[str, str] | None:
        """As PostgresReadModel: the order number in any case, without '#', else a tracking
        number of the merchant's parcels; newest first."""
        self.calls += 1
        number, tracking = lookup_keys(order_number)
        mine = sorted(
            (o for o in self._orders.values() if o.merchant_id == merchant_id),
            key=lambda o: o.placed_at,
            reverse=True,
        )
        order = next((o for o in mine if o.order_number.lower() == number.lower()), None)
        if order is None:
            order = next(
                (o for o in mine if any(s.tracking_number == tracking for s in o.shipments)), None
            )
        if order is None or order.customer_email is None:
            return None
        return order.customer_email.strip().lower(), order.status_token

    async def order_by_number(self, merchant_id: str, order_number: str) -> OrderView | None:
        self.calls += 1
        return self._orders.get((merchant_id, order_number))

    async def orders(
        self, merchant_id: str, status: OrderStatus | None, cursor: str | None, limit: int
    ) -> OrderPage:
        """Newest placed first (as `PostgresReadModel`); the cursor is an opaque offset."""
        self.calls += 1
        start = _decode_cursor(cursor)
        rows = sorted(
            (
                o
                for o in self._orders.values()
                if o.merchant_id == merchant_id and (status is None or o.status is status)
            ),
            key=lambda o: (o.placed_at, o.order_number),
            reverse=True,
        )
        page = rows[start : start + limit]
        more = start + limit < len(rows)
        summaries = tuple(
            OrderSummary(
                o.merchant_id, o.order_number, o.placed_at, o.updated_at, o.status, len(o.shipments)
            )
            for o in page
        )
        return OrderPage(summaries, _encode_cursor(start + limit) if more else None)

    async def shipment(self, carrier: str, tracking_number: str) -> ShipmentView | None:
        key = key_of(carrier, tracking_number)  # normalized, as PostgreSQL's
        return next(
            (
                s
                for o in self._orders.values()
                for s in o.shipments
                if key_of(s.carrier, s.tracking_number) == key
            ),
            None,
        )

    async def shipment_for_merchant(
        self, merchant_id: str, carrier: str, tracking_number: str
    ) -> ShipmentView | None:
        key = key_of(carrier, tracking_number)
        return next(
            (
                s
                for o in self._orders.values()
                if o.merchant_id == merchant_id
                for s in o.shipments
                if key_of(s.carrier, s.tracking_number) == key
            ),
            None,
        )


def _encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"o:{offset}".encode()).decode()


def _decode_cursor(cursor: str | None) -> int:
    if cursor is None:
        return 0
    try:
        kind, _, offset = base64.urlsafe_b64decode(cursor.encode()).decode().partition(":")
        if kind != "o":
            raise ValueError("not a cursor")
        return int(offset)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValueError("malformed cursor") from exc


# A shopper with personal data everywhere it could leak from.
PII = {
    "email": "jeanne.martin@example.org",
    "phone": "+33612345678",
    "name": "Jeanne Martin",
    "line1": "12 rue des Lilas",
    "postal_code": "93100",
    "city": "Montreuil",
    "signed_by": "J. MARTIN",
}


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """An instant in UTC, in May 2025."""
    return datetime(2025, 5, day, hour, minute, tzinfo=UTC)


def entry(
    when: datetime,
    status: ShipmentStatus,
    substatus: Substatus | None = None,
    message: str | None = None,
    city: str | None = None,
    postal_code: str | None = None,
    action: bool = False,
) -> TimelineEntry:
    location = Location(city=city, postal_code=postal_code, country="FR") if city else None
    return TimelineEntry(
        f"ev-{when.isoformat()}-{status}", when, status, substatus, message, location, action
    )


def _shipment(
    carrier: str,
    tracking_number: str,
    timeline: tuple[TimelineEntry, ...],
    estimate: EstimatedDelivery,
    item: ShipmentItemView,
) -> ShipmentView:
    """An active shipment whose latest fields are its newest timeline entry's (`timeline[0]`)."""
    newest = timeline[0]
    return ShipmentView(
        carrier=carrier,
        tracking_number=tracking_number,
        state="active",
        status=newest.status,
        substatus=newest.substatus,
        action_required=newest.action_required,
        reason=None,
        last_event_at=newest.occurred_at,
        last_message=newest.message,
        last_location=newest.location,
        estimated_delivery=estimate,
        delivered_at=newest.occurred_at if newest.status is ShipmentStatus.DELIVERED else None,
        items=(item,),
        timeline=timeline,
    )


def in_transit_shipment() -> ShipmentView:
    timeline = (
        entry(at(13, 5, 12), ShipmentStatus.IN_TRANSIT, Substatus.ARRIVED_AT_FACILITY,
              "Arrivé sur le site de distribution", "Lyon", "69007"),
        entry(at(12, 19, 40), ShipmentStatus.IN_TRANSIT, Substatus.DEPARTED_FACILITY,
              "Départ du centre de tri", "Roissy", "95700"),
        entry(at(12, 16, 5), ShipmentStatus.IN_TRANSIT, Substatus.PICKED_UP,
              "Pris en charge par Colissimo", "Paris", "75003"),
        entry(at(12, 9, 0), ShipmentStatus.INFO_RECEIVED, Substatus.LABEL_CREATED,
              "Étiquette créée"),
    )  # fmt: skip
    predicted = EstimatedDelivery(
        earliest=date(2025, 5, 15),
        latest=date(2025, 5, 15),
        source=EstimateSource.PREDICTED,
        detail="predicted from 42 similar shipments",
    )
    item = ShipmentItemView("li-1", "Linen shirt, sage", 1)
    return _shipment("colissimo", "6A12345678901", timeline, predicted, item)


def delivered_shipment() -> ShipmentView:
    timeline = (
        entry(at(14, 12, 31), ShipmentStatus.DELIVERED, Substatus.SIGNED,
              f"Delivered, signed by {PII['signed_by']} at {PII['line1']}", PII["city"],
              PII["postal_code"]),
        entry(at(14, 7, 2), ShipmentStatus.OUT_FOR_DELIVERY, Substatus.OUT_FOR_DELIVERY,
              "Out for delivery", PII["city"], PII["postal_code"]),
        entry(at(13, 22, 15), ShipmentStatus.IN_TRANSIT, Substatus.ARRIVED_AT_FACILITY,
              "Arrived at delivery station", "Gennevilliers", "92230"),
    )  # fmt: skip
    estimate = EstimatedDelivery.on(date(2025, 5, 14), EstimateSource.CARRIER)
    item = ShipmentItemView("li-2", "Ceramic mug", 2)
    return _shipment("ups", "1Z999AA10123456784", timeline, estimate, item)


def sample_order(
    *,
    merchant_id: str = "shop-a",
    order_number: str = "1042",
    status: OrderStatus = OrderStatus.PARTIALLY_DELIVERED,
    locale: str = "en",
    timezone: str = "Europe/Paris",
    token: str = "st_private_token_0001",  # noqa: S107 - test data
    share_token: str = "sh_shared_token_0001",  # noqa: S107 - test data
    shipments: tuple[ShipmentView, ...] | None = None,
    updated_at: datetime | None = None,
    placed_at: datetime | None = None,
) -> OrderView:
    """An order with personal data in every place it could be (see `PII`)."""
    return OrderView(
        merchant_id=merchant_id,
        order_number=order_number,
        placed_at=placed_at or at(11, 18, 20),
        updated_at=updated_at or at(14, 12, 31),
        status=status,
        cancelled=False,
        locale=locale,
        timezone=timezone,
        status_token=token,
        share_token=share_token,
        line_items=(
            LineItemView("li-1", "Linen shirt, sage", 1, sku="SH-01"),
            LineItemView("li-2", "Ceramic mug", 2, sku="MG-02"),
            LineItemView("li-3", "Gift card", 1),
        ),
        shipments=(in_transit_shipment(), delivered_shipment()) if shipments is None else shipments,
        customer_email=PII["email"],
        customer_phone=PII["phone"],
        customer_name=PII["name"],
        shipping_address={
            "name": PII["name"],
            "line1": PII["line1"],
            "postal_code": PII["postal_code"],
            "city": PII["city"],
            "country": "FR",
        },
    )


def shifted(order: OrderView, minutes: int) -> datetime:
    return order.updated_at + timedelta(minutes=minutes)
