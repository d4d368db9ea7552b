"""The stall / late monitor on real PostgreSQL and the real broker: synthetic histories with
known gaps give exactly the expected alerts, once, across restarts and two instances."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

import asyncpg
from aiokafka import AIOKafkaProducer, TopicPartition
from prometheus_client import CollectorRegistry

from suivi_infra.kafka import make_consumer, make_producer
from suivi_infra.records import KafkaSink
from suivi_infra.settings import KafkaSettings
from suivi_infra.testing import RecordingSink, TopicFactory
from suivi_projections.db.migrate import load_migrations, migrate
from suivi_projections.domain.watch import day_over
from suivi_projections.metrics import ProjectionsMetrics
from suivi_projections.monitor.worker import Monitor, MonitorConfig
from suivi_projections.testing.samples import T0, order_event, status_event
from suivi_projections.write.batch import apply_batch
from suivi_schemas import OrderEvent, ShipmentAlert, ShipmentStatus, ShipmentStatusEvent

S = ShipmentStatus
D = timedelta(days=1)
H = timedelta(hours=1)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


async def apply(
    pool: asyncpg.Pool, statuses: Sequence[ShipmentStatusEvent], orders: Sequence[OrderEvent] = ()
) -> None:
    async with pool.acquire() as conn, conn.transaction():
        await apply_batch(conn, statuses, orders)


async def read_topic(
    settings: KafkaSettings, topic: str, partitions: int = 3
) -> list[ShipmentAlert]:
    """Every alert on the topic, up to its end offsets now (the monitor awaited the acks)."""
    consumer = make_consumer(
        settings, f"read-{uuid.uuid4().hex[:8]}", auto_offset_reset="earliest",
        enable_auto_commit=False,
    )  # fmt: skip
    await consumer.start()
    try:
        assigned = [TopicPartition(topic, p) for p in range(partitions)]
        consumer.assign(assigned)
        ends = await consumer.end_offsets(assigned)
        found: list[ShipmentAlert] = []
        while any([await consumer.position(tp) < end for tp, end in ends.items()]):
            batches = await consumer.getmany(timeout_ms=500)
            for records in batches.values():
                found.extend(ShipmentAlert.model_validate_json(r.value) for r in records)
        return sorted(found, key=lambda a: (a.detected_at, a.tracking_number, a.kind.value))
    finally:
        await consumer.stop()


def summary(alerts: Sequence[ShipmentAlert]) -> list[tuple[str, str]]:
    return [(a.tracking_number, a.kind.value) for a in alerts]


ORDERS = [
    order_event("acme", "1", shipments=[("laposte", "6A001", [("li-1", 1)])]),
    order_event("acme", "3", shipments=[("ups", "1Z003", [("li-1", 1)])]),
    order_event("acme", "4", shipments=[("laposte", "6A004", [("li-1", 1)])]),
    order_event("acme", "5", shipments=[("ups", "1Z005", [("li-1", 1)])]),
]
HISTORY = [
    # 6A001: domestic FR→FR, quiet after T0+1d → stalled at T0+4d (default 3 days).
    status_event("laposte", "6A001", T0, S.INFO_RECEIVED, city="Lyon", country="FR"),
    status_event("laposte", "6A001", T0 + D, S.IN_TRANSIT, city="Lyon", country="FR"),
    # DE002: no order, so no destination: unknown lane → 7 days.
    status_event("dhl", "DE002", T0, S.IN_TRANSIT, city="Leipzig", country="DE"),
    # 1Z003: promised for 5 March: stalled at T0+3d, late once the 5th is over everywhere.
    status_event(
        "ups", "1Z003", T0, S.IN_TRANSIT, city="Paris", country="FR", eta=date(2025, 3, 5)
    ),
    # 6A004: waiting at a pickup point since T0+1d → stalled at T0+3d (2 days).
    status_event("laposte", "6A004", T0 + D, S.AVAILABLE_FOR_PICKUP, city="Paris", country="FR"),
    # 1Z005: delivered: nothing to say.
    status_event("ups", "1Z005", T0, S.IN_TRANSIT, city="Paris", country="FR"),
    status_event("ups", "1Z005", T0 + D, S.DELIVERED, city="Paris", country="FR"),
]


def monitor(pool: asyncpg.Pool, producer: AIOKafkaProducer, topic: str, clock: Clock) -> Monitor:
    return Monitor(pool, KafkaSink(producer), MonitorConfig(alerts_topic=topic), clock=clock)


async def test_known_gaps_give_exactly_the_expected_alerts_once(
    pool: asyncpg.Pool, kafka_settings: KafkaSettings, kafka_topic: TopicFactory
) -> None:
    topic = await kafka_topic("alerts", partitions=3)
    producer = make_producer(kafka_settings)
    await producer.start()
    clock = Clock(T0 + 2 * D)
    try:
        await apply(pool, HISTORY, ORDERS)
        first = await monitor(pool, producer, topic, clock).tick()
        assert (first.checked, first.published) == (5, 0)
        # Only what is due is looked at: nothing before the first deadline.
        clock.now = T0 + 3 * D - H
        assert (await monitor(pool, producer, topic, clock).tick()).checked == 0
        due = dict(await pool.fetch("SELECT tracking_number, due_at FROM shipment_insights"))
        assert due == {
            "6A001": T0 + 4 * D, "DE002": T0 + 7 * D, "1Z003": T0 + 3 * D,
            "6A004": T0 + 3 * D, "1Z005": None,
        }  # fmt: skip

        clock.now = T0 + 3 * D
        assert (await monitor(pool, producer, topic, clock).tick()).published == 2
        clock.now = day_over(date(2025, 3, 5))
        assert (await monitor(pool, producer, topic, clock).tick()).published == 1
        clock.now = T0 + 4 * D
        assert (await monitor(pool, producer, topic, clock).tick()).published == 1
        # 6A001 moves again; 1Z003 is delivered: both episodes of 1Z003 end.
        await apply(pool, [
            status_event("laposte", "6A001", T0 + 4 * D + H, S.IN_TRANSIT, city="Paris",
                         country="FR"),
            status_event("ups", "1Z003", T0 + 4 * D + H, S.DELIVERED, city="Paris", country="FR"),
        ])  # fmt: skip
        clock.now = T0 + 4 * D + 2 * H
        assert (await monitor(pool, producer, topic, clock).tick()).published == 3
        clock.now = T0 + 7 * D
        assert (await monitor(pool, producer, topic, clock).tick()).published == 1
        # A restarted monitor, and a second one, find nothing more to say.
        clock.now = T0 + 7 * D + H / 2  # (6A001 would stall again at T0 + 7d + 1h)
        again = await asyncio.gather(
            monitor(pool, producer, topic, clock).tick(),
            monitor(pool, producer, topic, clock).tick(),
        )
        assert sum(r.published for r in again) == 0
    finally:
        await producer.stop()

    alerts = await read_topic(kafka_settings, topic)
    assert summary(alerts) == [
        ("1Z003", "stalled"), ("6A004", "stalled"),
        ("1Z003", "late"),
        ("6A001", "stalled"),
        ("1Z003", "recovered"), ("1Z003", "recovered"), ("6A001", "recovered"),
        ("DE002", "stalled"),
    ]  # fmt: skip
    by_kind = {(a.tracking_number, a.kind.value, a.detail) for a in alerts}
    assert ("6A004", "stalled", "no carrier event for 2 days at available_for_pickup; "
            "usually at most 2 days (default)") in by_kind  # fmt: skip
    stalled_1z = next(a for a in alerts if a.tracking_number == "1Z003" and a.kind == "stalled")
    assert stalled_1z.location is not None and stalled_1z.location.city == "Paris"
    assert stalled_1z.expected_by == T0 + 3 * D and stalled_1z.status is S.IN_TRANSIT
    recovered = [a for a in alerts if a.kind == "recovered" and a.tracking_number == "1Z003"]
    assert {a.episode_id for a in recovered} == {
        a.episode_id for a in alerts if a.tracking_number == "1Z003" and a.kind != "recovered"
    }
    stored = await pool.fetch("SELECT event_id FROM shipment_alerts")
    assert sorted(r[0] for r in stored) == sorted(a.event_id for a in alerts)
    open_ = await pool.fetch(
        "SELECT tracking_number FROM shipment_insights WHERE stall_episode IS NOT NULL"
        " OR late_episode IS NOT NULL ORDER BY 1"
    )
    assert [r[0] for r in open_] == ["6A004", "DE002"]


async def test_two_monitors_racing_publish_each_alert_once(
    pool: asyncpg.Pool, kafka_settings: KafkaSettings, kafka_topic: TopicFactory
) -> None:
    topic = await kafka_topic("alerts", partitions=3)
    events = [
        status_event("laposte", f"6B{i:03}", T0, S.IN_TRANSIT, city="Lyon", country="FR")
        for i in range(300)
    ]
    await apply(pool, events)
    producer = make_producer(kafka_settings)
    await producer.start()
    try:
        clock = Clock(T0 + 10 * D)
        config = MonitorConfig(alerts_topic=topic, batch_size=40)
        racing = [Monitor(pool, KafkaSink(producer), config, clock=clock) for _ in range(2)]
        results = await asyncio.gather(*(m.tick() for m in racing))
    finally:
        await producer.stop()
    assert sum(r.published for r in results) == 300
    assert all(r.published > 0 for r in results)  # both took part
    alerts = await read_topic(kafka_settings, topic)
    assert sorted(a.tracking_number for a in alerts) == sorted(e.tracking_number for e in events)


async def test_learned_silences_and_transit_times_replace_the_defaults(
    pool: asyncpg.Pool, kafka_settings: KafkaSettings, kafka_topic: TopicFactory
) -> None:
    topic = await kafka_topic("alerts", partitions=1)
    history = []
    for i in range(40):  # FR→FR parcels scanned every 30 hours, delivered after two scans
        start = T0 + i * H
        number = f"6C{i:03}"
        history += [
            status_event("laposte", number, start, S.IN_TRANSIT, city="Lyon", country="FR"),
            status_event("laposte", number, start + 30 * H, S.IN_TRANSIT, city="Lyon",
                         country="FR"),
            status_event("laposte", number, start + 60 * H, S.DELIVERED, city="Paris",
                         country="FR"),
        ]  # fmt: skip
    await apply(pool, history)
    producer = make_producer(kafka_settings)
    await producer.start()
    clock = Clock(T0 + 20 * D)
    try:
        watcher = monitor(pool, producer, topic, clock)
        await watcher.tick()  # lanes of the history
        await watcher.learn()
        learned = await pool.fetch(
            "SELECT lane, threshold, samples FROM stall_thresholds"
            " WHERE carrier = 'laposte' AND status = 'in_transit' ORDER BY lane"
        )
        assert [tuple(r) for r in learned] == [
            ("*", 30 * H, 80),
            ("FR>FR", 30 * H, 80),
            ("domestic", 30 * H, 80),
        ]
        fresh = status_event("laposte", "6D001", T0 + 19 * D, S.IN_TRANSIT, city="Lyon",
                             country="FR")  # fmt: skip
        await apply(pool, [fresh])
        clock.now = T0 + 19 * D + 29 * H
        assert (await watcher.tick()).published == 0
        clock.now = T0 + 19 * D + 30 * H
        assert (await watcher.tick()).published == 1
        row = await pool.fetchrow(
            "SELECT stall_threshold, predicted_samples FROM shipment_insights"
            " WHERE tracking_number = '6D001'"
        )
        assert row is not None and row[0] == 30 * H
        # Predicted from the 40 delivered FR→FR laposte parcels (a little less: older ones
        # weigh less, issue 21).
        assert 30 <= row[1] <= 40
    finally:
        await producer.stop()
    (alert,) = await read_topic(kafka_settings, topic, partitions=1)
    assert alert.detail is not None and "(80 similar gaps)" in alert.detail


async def test_parcels_projected_before_the_monitor_existed_are_judged(
    pg_pool: asyncpg.Pool,
) -> None:
    migrations = load_migrations()
    upgrade = next(i for i, m in enumerate(migrations) if m.name == "insights_backfill")
    # The write path needs these (the orders' promised day: order_promise).
    estimates = [m for m in migrations if m.name in ("estimates", "order_promise")]
    async with pg_pool.acquire() as conn:
        await migrate(conn, migrations[:upgrade] + estimates)
    await apply(pg_pool, HISTORY, ORDERS)
    await pg_pool.execute("DELETE FROM shipment_insights")  # as before the monitor
    async with pg_pool.acquire() as conn:
        upgraded = await migrate(conn, migrations[: upgrade + 1])  # later ones: unrelated
        assert [m.name for m in upgraded] == ["insights_backfill"]
        await migrate(conn)  # the later ones too: the monitor reads their tables (parcel_legs)
    sink = RecordingSink()
    watcher = Monitor(pg_pool, sink, MonitorConfig("alerts"), clock=Clock(T0 + 8 * D))
    assert (await watcher.tick()).checked == 5
    stalled = sorted(ShipmentAlert.model_validate_json(r.value).tracking_number for r in sink.sent)
    assert stalled == ["1Z003", "1Z003", "6A001", "6A004", "DE002"]  # 1Z003: stalled and late


class Unreachable:
    def acquire(self) -> Any:
        raise ConnectionRefusedError("PostgreSQL is away")


async def test_a_failing_round_is_counted_and_retried_until_stopped() -> None:
    metrics = ProjectionsMetrics(CollectorRegistry())
    config = MonitorConfig("alerts", check_interval=timedelta(milliseconds=10))
    watcher = Monitor(Unreachable(), RecordingSink(), config, metrics)
    stop = asyncio.Event()
    running = asyncio.create_task(watcher.run(stop))
    for _ in range(500):  # retried, not given up
        if metrics.monitor_failures._value.get() >= 3:
            break
        await asyncio.sleep(0.01)
    stop.set()
    await asyncio.wait_for(running, 5)
    assert metrics.monitor_failures._value.get() >= 3
