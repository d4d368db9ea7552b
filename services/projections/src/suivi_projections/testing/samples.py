"""Realistic status events and order snapshots: test factories and the benchmark's workload."""

from __future__ import annotations

import random
import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, timedelta

from suivi_schemas import (
    EstimatedDelivery,
    EstimateSource,
    Location,
    OrderEvent,
    Reason,
    ShipmentStatus,
    ShipmentStatusEvent,
    Substatus,
    checkpoint_event_id,
)

T0 = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
S = ShipmentStatus

ShipmentSpec = tuple[str, str, Sequence[tuple[str, int]]]  # carrier, tracking number, items


def status_event(
    carrier: str,
    tracking_number: str,
    occurred_at: datetime,
    status: ShipmentStatus,
    *,
    code: str | None = None,
    substatus: Substatus | None = None,
    eta: date | None = None,
    city: str | None = None,
    country: str | None = None,
    action_required: bool = False,
    reason: Reason | None = None,
    message: str | None = None,
) -> ShipmentStatusEvent:
    code = code or status.value
    event_id = checkpoint_event_id(
        carrier=carrier,
        tracking_number=tracking_number,
        occurred_at=occurred_at,
        code=code,
        city=city,
        country=country,
    )
    return ShipmentStatusEvent(
        event_id=event_id,
        provider="suivi",
        carrier=carrier,
        tracking_number=tracking_number,
        status=status,
        substatus=substatus,
        action_required=action_required,
        reason=reason,
        raw_code=code,
        raw_message=message or f"{status.value.replace('_', ' ').capitalize()}",
        location=Location(city=city, country=country) if city or country else None,
        occurred_at=occurred_at,
        estimated_delivery=EstimatedDelivery.on(eta, EstimateSource.CARRIER) if eta else None,
        received_at=occurred_at + timedelta(minutes=3),
        raw_event_id=uuid.uuid5(event_id, "raw"),
    )


def order_event(
    merchant_id: str,
    order_number: str,
    *,
    placed_at: datetime = T0,
    updated_at: datetime | None = None,
    shipments: Sequence[ShipmentSpec] = (),
    line_items: Sequence[tuple[str, str, int]] = (("li-1", "Blue mug", 1),),
    cancelled_shipments: Sequence[str] = (),
    cancelled: bool = False,
    email: str | None = " Shopper@Example.COM ",
    shipped_at: datetime | None = None,
    event_id: uuid.UUID | None = None,
    fulfillment_id: str | None = None,
    parcel_fulfillments: Mapping[str, str] | None = None,
) -> OrderEvent:
    """A snapshot; with `fulfillment_id`, that fulfilment's event (its parcels only).
    parcel_fulfillments: tracking number → fulfilment id of a snapshot's parcels."""
    updated_at = updated_at or placed_at
    name = f"{merchant_id}|{order_number}|{updated_at.isoformat()}|{fulfillment_id}"
    fulfilments = parcel_fulfillments or {}
    return OrderEvent.model_validate(
        {
            "event_id": event_id or uuid.uuid5(uuid.NAMESPACE_URL, name),
            "merchant_id": merchant_id,
            "order_number": order_number,
            "source": "api",
            "placed_at": placed_at,
            "updated_at": updated_at,
            "cancelled": cancelled,
            "kind": "fulfillment" if fulfillment_id else "snapshot",
            "fulfillment_id": fulfillment_id,
            "customer": {
                "email": email,
                "phone": "+33612345678",
                "name": "Camille Martin",
                "locale": "fr-FR",
                "timezone": "Europe/Paris",
            },
            "notifications": {"email": True, "sms": True},
            "shipping_address": {"line1": "1 rue de la Paix", "city": "Paris", "country": "FR"},
            "line_items": [
                {"line_item_id": li, "title": title, "quantity": q, "sku": f"SKU-{li}"}
                for li, title, q in line_items
            ],
            "shipments": [
                {
                    "carrier": carrier,
                    "tracking_number": number,
                    "state": "cancelled" if number in cancelled_shipments else "active",
                    "items": [{"line_item_id": li, "quantity": q} for li, q in items],
                    "shipped_at": shipped_at,
                    "fulfillment_id": fulfillment_id or fulfilments.get(number),
                }
                for carrier, number, items in shipments
            ],
        }
    )


_CITIES = (("Lyon", "FR"), ("Paris", "FR"), ("Roissy", "FR"), ("Leipzig", "DE"), ("Memphis", "US"))


def journey(
    rng: random.Random, carrier: str, tracking_number: str, start: datetime
) -> list[ShipmentStatusEvent]:
    """A parcel's checkpoints: label, several scans, sometimes a problem, usually delivered."""
    at = start
    eta = (start + timedelta(days=rng.randint(2, 6))).date()
    events = [status_event(carrier, tracking_number, at, S.INFO_RECEIVED, eta=eta)]
    for hop in range(rng.randint(2, 6)):
        at += timedelta(hours=rng.randint(2, 20), minutes=rng.randint(0, 59))
        city, country = _CITIES[rng.randrange(len(_CITIES))]
        code = f"scan-{hop}"
        new_eta = eta + timedelta(days=1) if rng.random() < 0.1 else None
        events.append(
            status_event(carrier, tracking_number, at, S.IN_TRANSIT, code=code, city=city,
                         country=country, substatus=Substatus.ARRIVED_AT_FACILITY, eta=new_eta)
        )  # fmt: skip
    roll = rng.random()
    at += timedelta(hours=rng.randint(6, 30))
    if roll < 0.05:
        events.append(status_event(carrier, tracking_number, at, S.EXCEPTION,
                                   substatus=Substatus.ADDRESS_ISSUE, action_required=True,
                                   reason=Reason.CONSIGNEE))  # fmt: skip
        return events
    if roll < 0.12:
        events.append(status_event(carrier, tracking_number, at, S.DELIVERY_ATTEMPT_FAILED,
                                   substatus=Substatus.RECIPIENT_UNAVAILABLE))  # fmt: skip
        at += timedelta(days=1)
    events.append(status_event(carrier, tracking_number, at, S.OUT_FOR_DELIVERY, city="Paris"))
    if roll < 0.9:
        at += timedelta(hours=rng.randint(1, 8))
        events.append(status_event(carrier, tracking_number, at, S.DELIVERED, city="Paris",
                                   substatus=Substatus.SIGNED))  # fmt: skip
    return events


def workload(
    events: int, *, seed: int = 7, order_share: float = 0.6
) -> list[ShipmentStatusEvent | OrderEvent]:
    """About `events` status events of many parcels in flight at once, interleaved by time with
    the orders (one or two parcels each) of `order_share` of the parcels, as a topic sees them."""
    rng = random.Random(seed)  # noqa: S311 - reproducible sample data, nothing secret
    stream: list[tuple[datetime, int, ShipmentStatusEvent | OrderEvent]] = []
    count = 0
    parcel = 0
    while count < events:
        carrier = ("ups", "colissimo", "dhl", "usps")[parcel % 4]
        start = T0 + timedelta(minutes=rng.randint(0, 60 * 24 * 20))
        numbers = [f"{carrier.upper()}{parcel:09d}"]
        if rng.random() < 0.2:
            parcel += 1
            numbers.append(f"{carrier.upper()}{parcel:09d}")
        parcel += 1
        for number in numbers:
            for e in journey(rng, carrier, number, start + timedelta(minutes=rng.randint(0, 90))):
                stream.append((e.occurred_at, len(stream), e))
                count += 1
        if rng.random() < order_share:
            specs = [(carrier, n, [(f"li-{i}", 1)]) for i, n in enumerate(numbers)]
            lines = [(f"li-{i}", f"Item {i}", 1) for i in range(len(numbers))]
            placed = start - timedelta(hours=rng.randint(1, 30))
            order = order_event("acme", f"A{parcel:08d}", placed_at=placed, shipments=specs,
                                line_items=lines)  # fmt: skip
            stream.append((start - timedelta(minutes=5), len(stream), order))
    stream.sort(key=lambda item: (item[0], item[1]))
    return [item for _, _, item in stream]
