"""The extended order event, its ids, the reference merge, and the Kafka order publisher."""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import pytest
from aiokafka import AIOKafkaProducer
from pydantic import ValidationError

from suivi_infra.settings import KafkaSettings
from suivi_ingest.kafka import IngestProducer, PublishError
from suivi_ingest.orders.ids import order_event_id
from suivi_ingest.orders.publisher import KafkaOrderEventPublisher, serialize_order
from suivi_schemas.order_state import OrderState
from suivi_schemas.orders import Customer, OrderEvent, OrderEventKind, OrderShipment, OrderSource

T0 = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)


def _at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def _parcel(number: str, fulfillment: str | None, state: str = "active") -> OrderShipment:
    return OrderShipment.model_validate(
        {"carrier": "ups", "tracking_number": number, "state": state, "fulfillment_id": fulfillment}
    )


def _snapshot(minutes: int, *parcels: OrderShipment, name: str = "Zoë") -> OrderEvent:
    return OrderEvent(
        event_id=order_event_id("shop-a", "#1001", _at(minutes), name),
        merchant_id="shop-a",
        order_number="#1001",
        source=OrderSource.SHOPIFY,
        placed_at=T0,
        updated_at=_at(minutes),
        customer=Customer(name=name),
        shipments=parcels,
    )


def _fulfillment(minutes: int, fid: str, *parcels: OrderShipment) -> OrderEvent:
    return OrderEvent(
        event_id=order_event_id("shop-a", "#1001", _at(minutes), fid),
        merchant_id="shop-a",
        order_number="#1001",
        source=OrderSource.SHOPIFY,
        kind=OrderEventKind.FULFILLMENT,
        fulfillment_id=fid,
        placed_at=_at(minutes),
        updated_at=_at(minutes),
        customer=Customer(),
        shipments=parcels,
    )


def _merged(events: list[OrderEvent]) -> tuple[Any, ...] | None:
    state = OrderState()
    for event in events:
        state = state.apply(event)
    view = state.merge()
    if view is None:
        return None
    return (view.customer.name, sorted((s.key, s.state, s.fulfillment_id) for s in view.shipments))


def test_order_event_id_is_uuid5_of_the_instant() -> None:
    paris = datetime(2026, 11, 2, 10, 0, tzinfo=UTC).astimezone()
    assert order_event_id("m", "1", paris) == order_event_id("m", "1", _at(120))
    from suivi_schemas.ids import SUIVI_NAMESPACE

    name = "order|m|1|2026-11-02T10:00:00.000000+00:00"
    assert order_event_id("m", "1", _at(120)) == uuid.uuid5(SUIVI_NAMESPACE, name)
    assert order_event_id("m", "1", _at(120), "x") != order_event_id("m", "1", _at(120))


def test_fulfillment_events_round_trip_on_the_wire() -> None:
    event = _fulfillment(5, "F1", _parcel("1Z1", "F1"))
    back = OrderEvent.model_validate_json(serialize_order(event))
    assert back == event
    assert back.key == "shop-a:#1001" and back.shipments[0].key == "ups:1Z1"
    assert back.kind is OrderEventKind.FULFILLMENT and back.fulfillment_id == "F1"


def test_an_event_without_kind_is_a_snapshot() -> None:
    wire = serialize_order(_fulfillment(5, "F1", _parcel("1Z1", "F1")))
    legacy = wire.replace(b'"kind":"fulfillment",', b"").replace(b'"fulfillment_id":"F1",', b"")
    assert OrderEvent.model_validate_json(legacy).kind is OrderEventKind.SNAPSHOT


def test_a_plain_order_shipment_has_no_fulfillment() -> None:
    plain = OrderShipment(carrier="ups", tracking_number="1Z1")
    assert OrderShipment.model_validate(plain.model_dump()).fulfillment_id is None


@pytest.mark.parametrize(
    ("changes", "says"),
    [
        ({"fulfillment_id": None}, "names its fulfillment_id"),
        ({"shipments": ({"carrier": "ups", "tracking_number": "1Z1"},)}, "only that fulfilment"),
        ({"kind": "snapshot"}, "only set on fulfillment events"),
        ({"kind": "partial"}, "Input should be 'snapshot' or 'fulfillment'"),
    ],
)
def test_fulfillment_events_are_scoped(changes: dict[str, Any], says: str) -> None:
    fields = _fulfillment(5, "F1").model_dump()
    fields.update(changes)
    with pytest.raises(ValidationError, match=says):
        OrderEvent.model_validate(fields)


def test_no_order_before_a_snapshot() -> None:
    assert _merged([_fulfillment(5, "F1", _parcel("1Z1", "F1"))]) is None


def test_a_fulfilment_arriving_before_its_order_is_kept() -> None:
    fulfilment = _fulfillment(5, "F1", _parcel("1Z1", "F1"))
    create = _snapshot(0)
    expected = ("Zoë", [("ups:1Z1", "active", "F1")])
    assert _merged([fulfilment, create]) == _merged([create, fulfilment]) == expected


def test_a_newer_snapshot_is_authoritative_for_the_fulfilments_it_lists_or_not() -> None:
    older = _fulfillment(5, "F1", _parcel("1Z1", "F1"))
    listing_it_cancelled = _snapshot(10, _parcel("1Z1", "F1", "cancelled"))
    not_listing_it = _snapshot(20)
    assert _merged([older, listing_it_cancelled]) == ("Zoë", [("ups:1Z1", "cancelled", "F1")])
    assert _merged([older, not_listing_it]) == ("Zoë", [])


def test_a_fulfilment_event_replaces_all_that_fulfilments_parcels() -> None:
    # The tracking number was corrected: the old one must not linger.
    snapshot = _snapshot(0, _parcel("1Z-WRONG", "F1"), _parcel("API-1", None))
    corrected = _fulfillment(5, "F1", _parcel("1Z-RIGHT", "F1"))
    assert _merged([snapshot, corrected]) == (
        "Zoë",
        [("ups:1ZRIGHT", "active", "F1"), ("ups:API1", "active", None)],
    )


def test_an_active_parcel_beats_a_cancelled_one_with_the_same_key() -> None:
    snapshot = _snapshot(0)
    cancelled = _fulfillment(5, "F1", _parcel("1Z1", "F1", "cancelled"))
    reshipped = _fulfillment(6, "F2", _parcel("1Z1", "F2"))
    assert _merged([snapshot, cancelled, reshipped]) == ("Zoë", [("ups:1Z1", "active", "F2")])


def test_every_arrival_order_gives_the_same_order() -> None:
    events = [
        _snapshot(0),
        _fulfillment(5, "F1", _parcel("1Z1", "F1")),
        _fulfillment(7, "F1", _parcel("1Z1", "F1", "cancelled")),
        _fulfillment(8, "F2", _parcel("1Z2", "F2"), _parcel("1Z3", "F2")),
        # Same instant as F2's event, which therefore still wins for F2.
        _snapshot(8, _parcel("1Z1", "F1", "cancelled"), _parcel("1Z2", "F2"), name="Zoë L."),
        _fulfillment(9, "F3", _parcel("1Z4", "F3")),
    ]
    results = {repr(_merged(list(p))) for p in itertools.permutations(events)}
    assert results == {
        repr(
            (
                "Zoë L.",
                [
                    ("ups:1Z1", "cancelled", "F1"),
                    ("ups:1Z2", "active", "F2"),
                    ("ups:1Z3", "active", "F2"),
                    ("ups:1Z4", "active", "F3"),
                ],
            )
        )
    }


def test_ties_with_different_content_converge() -> None:
    events = [_snapshot(8, name="Zoë"), _snapshot(8, name="Zoé"), _snapshot(4, name="Z")]
    assert len({repr(_merged(list(p))) for p in itertools.permutations(events)}) == 1


def test_replays_change_nothing() -> None:
    events = [_snapshot(0), _fulfillment(5, "F1", _parcel("1Z1", "F1")), _snapshot(3)]
    assert _merged(events) == _merged(events + events[::-1])


# --- the Kafka adapter ----------------------------------------------------------------------


class StandInSender:
    def __init__(self) -> None:
        self.sent: list[tuple[str, bytes, str]] = []

    async def send(self, topic: str, value: bytes, key: str) -> None:
        self.sent.append((topic, value, key))


async def test_order_publisher_sends_the_extended_event_keyed() -> None:
    sender = StandInSender()
    publisher = KafkaOrderEventPublisher(sender, "commerce.orders.v1")
    event = _fulfillment(5, "F1", _parcel("1Z1", "F1"))
    await publisher.publish(event, event.key)
    [(topic, value, key)] = sender.sent
    assert (topic, key, publisher.topic) == ("commerce.orders.v1", "shop-a:#1001", topic)
    assert OrderEvent.model_validate_json(value) == event


class StandInProducer:
    def __init__(self) -> None:
        self.sent: list[tuple[str, bytes, bytes]] = []

    async def start(self) -> None:
        pass

    async def stop(self) -> None:
        pass

    async def send_and_wait(self, topic: str, value: bytes, key: bytes) -> None:
        self.sent.append((topic, value, key))


async def test_orders_share_the_webhook_producer() -> None:
    producer = StandInProducer()
    kafka = IngestProducer(lambda: cast(AIOKafkaProducer, producer), KafkaSettings())
    orders = KafkaOrderEventPublisher(kafka, "commerce.orders.v1")
    event = _snapshot(0)
    with pytest.raises(PublishError, match="not connected"):
        await orders.publish(event, event.key)
    await kafka.start()
    await orders.publish(event, event.key)
    await kafka.stop()
    assert [(t, k) for t, _, k in producer.sent] == [("commerce.orders.v1", b"shop-a:#1001")]
