"""The tracker process's Kafka sides on the real broker and PostgreSQL: orders start trackings
(the same fulfilment twice is one tracking), and a La Poste parcel is polled at the stand-in
through its whole journey — each changed body on tracking.raw.v1, its status learned back from
tracking.status.v1 — until delivered, confirmed a day later, stopped, and never polled again.

The normalizer's part (raw → status) is played by the test with the normalizer's own La Poste
adapter, so the tracker is tested against the real contracts on both topics."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta

import asyncpg
import httpx
import pytest
from aiokafka import AIOKafkaConsumer, ConsumerRecord

from suivi_infra.kafka import make_consumer, make_producer
from suivi_infra.settings import KafkaSettings
from suivi_infra.testing import TopicFactory
from suivi_normalizer.providers import parser_for
from suivi_schemas.events import ShipmentStatusEvent
from suivi_schemas.ids import derived_event_id
from suivi_schemas.orders import (
    Customer,
    OrderEvent,
    OrderEventKind,
    OrderShipment,
    OrderSource,
)
from suivi_schemas.raw import RawProviderEvent
from suivi_tracker.bootstrap import TrackerService, bootstrap
from suivi_tracker.domain.sources import Source
from suivi_tracker.settings import TrackerSettings
from suivi_tracker.testing.harness import T0, SettableClock
from suivi_tracker.testing.standins.app import Credentials
from suivi_tracker.testing.standins.wiring import Peers, running

pytestmark = pytest.mark.integration
NUMBER = "6A18987654321"


@pytest.fixture
async def peers() -> AsyncIterator[Peers]:
    async with running(Credentials(ingest_url=None)) as peers:
        yield peers


async def started(
    kafka_settings: KafkaSettings, pg_pool: asyncpg.Pool, kafka_topic: TopicFactory,
    sources: list[Source], clock: SettableClock,
) -> TrackerService:  # fmt: skip
    settings = TrackerSettings(
        kafka=kafka_settings, orders_topic=await kafka_topic("orders"),
        status_topic=await kafka_topic("status"), raw_topic=await kafka_topic("raw"),
        dlq_topic=await kafka_topic("dlq"),
        group_id=f"tracker-{uuid.uuid4().hex[:8]}", schedule_enabled=False, metrics_port=0,
        migrate_on_start=True, retry_backoff_seconds=0.1, batch_timeout_ms=50,
    )  # fmt: skip
    service = await bootstrap(settings, sources=sources, pool=pg_pool, clock=clock)
    service.owns_pool = False
    await service.start()
    return service


def order(kind: OrderEventKind, number: str = NUMBER) -> OrderEvent:
    fulfilment = "F1" if kind is OrderEventKind.FULFILLMENT else None
    shipment = OrderShipment(carrier="laposte", tracking_number=number, fulfillment_id=fulfilment)
    return OrderEvent(
        event_id=uuid.uuid4(), merchant_id="shop-a", order_number="1001",
        source=OrderSource.SHOPIFY, placed_at=T0, updated_at=T0, customer=Customer(),
        shipments=(shipment,), kind=kind, fulfillment_id=fulfilment,
    )  # fmt: skip


def total(service: TrackerService, metric: str, **labels: str) -> float:
    return sum(
        s.value
        for m in service.registry.collect()
        if m.name == metric
        for s in m.samples
        if s.name.endswith("_total") and all(s.labels.get(k) == v for k, v in labels.items())
    )


async def consumed(service: TrackerService, topic: str, at_least: float) -> None:
    """Waits until the tracker has consumed (and committed the effects of) `at_least` records of
    `topic` (its own counter: a probe of committed offsets cannot see a topic created just now)."""
    for _ in range(400):
        if total(service, "suivi_tracker_consumed", topic=topic) >= at_least:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"the tracker did not consume {at_least} records of {topic}")


async def send(settings: KafkaSettings, topic: str, items: list[tuple[str, bytes]]) -> None:
    producer = make_producer(settings)
    await producer.start()
    try:
        for key, value in items:
            await producer.send_and_wait(topic, value, key=key.encode())
    finally:
        await producer.stop()


async def test_the_same_fulfilment_twice_is_one_tracking(
    kafka_settings: KafkaSettings, pg_pool: asyncpg.Pool, kafka_topic: TopicFactory
) -> None:
    service = await started(kafka_settings, pg_pool, kafka_topic, [], SettableClock())
    s = service.settings
    try:
        events = [order(OrderEventKind.FULFILLMENT), order(OrderEventKind.FULFILLMENT),
                  order(OrderEventKind.SNAPSHOT)]  # fmt: skip
        records = [(e.key, e.model_dump_json().encode()) for e in events]
        records.insert(1, ("shop-a:1001", b'{"not": "an order"}'))  # dead-lettered, not a stop
        await send(kafka_settings, s.orders_topic, records)
        await consumed(service, s.orders_topic, 4)
        async with pg_pool.acquire() as conn:
            rows = await conn.fetch("SELECT carrier, tracking_number, state FROM trackings")
            links = await conn.fetchval("SELECT count(*) FROM tracking_links")
        assert [tuple(r) for r in rows] == [("laposte", NUMBER, "unsupported")]  # no source set
        assert links == 1
        dlq = make_consumer(kafka_settings, f"dlq-{uuid.uuid4().hex[:6]}", s.dlq_topic)
        await dlq.start()
        try:
            letters = await dlq.getmany(timeout_ms=10_000)
        finally:
            await dlq.stop()
        [letter] = [r for batch in letters.values() for r in batch]
        assert letter.value == b'{"not": "an order"}'
        assert dict(letter.headers)["suivi-dlq-source-topic"] == s.orders_topic.encode()
    finally:
        await service.stop()


async def forward_statuses(
    raw: AIOKafkaConsumer, settings: KafkaSettings, status_topic: str
) -> list[str]:
    """The normalizer's part: each new raw body → its latest checkpoint on tracking.status.v1."""
    batches: dict[object, list[ConsumerRecord[bytes, bytes]]] = {}
    while not batches:
        batches = await raw.getmany(timeout_ms=5000)
    out: list[tuple[str, bytes]] = []
    statuses: list[str] = []
    for records in batches.values():
        for record in records:
            event = RawProviderEvent.model_validate_json(record.value or b"")
            checkpoints = parser_for(event.provider)(json.loads(event.body))
            latest = max(checkpoints, key=lambda c: c.occurred_at)
            status = ShipmentStatusEvent(
                event_id=derived_event_id("test", str(event.event_id)), provider=event.provider,
                carrier=latest.carrier, tracking_number=latest.tracking_number,
                status=latest.meaning.status, occurred_at=latest.occurred_at,
                received_at=event.received_at, raw_event_id=event.event_id,
            )  # fmt: skip
            statuses.append(status.status.value)
            out.append((status.key, status.model_dump_json().encode()))
    await send(settings, status_topic, out)
    return statuses


async def test_a_la_poste_journey_is_polled_until_delivered_then_stopped(
    kafka_settings: KafkaSettings, pg_pool: asyncpg.Pool, kafka_topic: TopicFactory,
    peers: Peers,
) -> None:  # fmt: skip
    clock = SettableClock(T0)
    laposte = peers.sources["laposte"]
    service = await started(kafka_settings, pg_pool, kafka_topic, [laposte], clock)
    s = service.settings
    raw = make_consumer(kafka_settings, f"raw-{uuid.uuid4().hex[:6]}", s.raw_topic)
    await raw.start()
    admin = httpx.AsyncClient(base_url=peers.url)
    seen: list[str] = []
    try:
        snapshot = order(OrderEventKind.SNAPSHOT)
        await send(
            kafka_settings, s.orders_topic, [(snapshot.key, snapshot.model_dump_json().encode())]
        )
        await consumed(service, s.orders_topic, 1)
        statuses = 0
        for _ in range(60):  # a bounded walk along the schedule
            async with pg_pool.acquire() as conn:
                row = await conn.fetchrow("SELECT state, next_due_at, polls FROM trackings")
            if row["next_due_at"] is None:
                break
            step = max(row["next_due_at"] - clock.now, timedelta(0))
            clock.advance(step)
            (
                await admin.post("/_admin/clock", json={"advance": step.total_seconds()})
            ).raise_for_status()
            published = total(service, "suivi_tracker_published_bodies")
            assert await service.scheduler.round() == 1
            if total(service, "suivi_tracker_published_bodies") == published:
                continue  # unchanged: nothing published, nothing for the normalizer
            forwarded = await forward_statuses(raw, kafka_settings, s.status_topic)
            seen += forwarded
            statuses += len(forwarded)
            await consumed(service, s.status_topic, statuses)
        async with pg_pool.acquire() as conn:
            final = await conn.fetchrow("SELECT * FROM trackings")
        assert (final["state"], final["last_status"], final["next_due_at"]) == (
            "stopped",
            "delivered",
            None,
        )
        assert seen[0] == "info_received" and seen[-1] == "delivered"
        assert len(seen) == len(set(seen)) or "in_transit" in seen  # each changed body once
        assert final["polls"] >= 5
        # A day (and more) later: nothing is due, nothing is polled.
        clock.advance(timedelta(days=3))
        assert await service.scheduler.round() == 0
        async with pg_pool.acquire() as conn:
            assert await conn.fetchval("SELECT polls FROM trackings") == final["polls"]
    finally:
        await admin.aclose()
        await raw.stop()
        await service.stop()
