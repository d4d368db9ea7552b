"""The platform's plumbing against the real broker and server, with production client settings."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime

import asyncpg
import pytest
from aiokafka import TopicPartition

from suivi_infra.kafka import consumer_options, make_consumer, make_producer, producer_options
from suivi_infra.settings import KafkaSettings
from suivi_infra.testing import TopicFactory
from suivi_schemas import ShipmentStatus, ShipmentStatusEvent, checkpoint_event_id

pytestmark = pytest.mark.integration


def _event(n: int) -> ShipmentStatusEvent:
    at = datetime(2026, 11, 2, 8, n, tzinfo=UTC)
    return ShipmentStatusEvent(
        event_id=checkpoint_event_id(
            carrier="ups", tracking_number="1Z999AA10123456784", occurred_at=at, code=f"I{n}"
        ),
        provider="suivi",
        carrier="ups",
        tracking_number="1Z999AA10123456784",
        status=ShipmentStatus.IN_TRANSIT,
        occurred_at=at,
        received_at=at,
        raw_event_id=uuid.uuid4(),
    )


def test_client_settings_are_the_safe_ones() -> None:
    settings = KafkaSettings()
    producer = producer_options(settings)
    consumer = consumer_options(settings, "g")
    assert producer["acks"] == "all"
    assert producer["enable_idempotence"] is True
    assert consumer["enable_auto_commit"] is False
    assert consumer["isolation_level"] == "read_committed"


async def test_round_trip_through_the_real_broker_commits_after_processing(
    kafka_settings: KafkaSettings, kafka_topic: TopicFactory
) -> None:
    topic = await kafka_topic(partitions=3)
    events = [_event(n) for n in range(10)]
    producer = make_producer(kafka_settings)
    await producer.start()
    try:
        sent = await asyncio.gather(
            *(
                producer.send_and_wait(topic, e.model_dump_json().encode(), key=e.key.encode())
                for e in events
            )
        )
    finally:
        await producer.stop()
    # Same key → same partition, in send order.
    assert len({m.partition for m in sent}) == 1

    group = f"smoke-{uuid.uuid4().hex[:8]}"
    consumer = make_consumer(kafka_settings, group, topic)
    await consumer.start()
    received: list[ShipmentStatusEvent] = []
    try:
        while len(received) < len(events):
            batch = await consumer.getmany(timeout_ms=5_000, max_records=100)
            assert batch, "no records within 5 s"
            for tp, records in batch.items():
                received.extend(ShipmentStatusEvent.model_validate_json(r.value) for r in records)
                # The effect (here: collecting) is done, only now the offset is committed.
                await consumer.commit({tp: records[-1].offset + 1})
        partition = TopicPartition(topic, sent[0].partition)
        assert await consumer.committed(partition) == sent[-1].offset + 1
    finally:
        await consumer.stop()
    assert received == events

    # A new consumer of the same group resumes after the commit: nothing is delivered again.
    again = make_consumer(kafka_settings, group, topic)
    await again.start()
    try:
        assert await again.getmany(timeout_ms=1_500) == {}
    finally:
        await again.stop()


async def test_row_round_trips_through_postgres(pg_pool: asyncpg.Pool) -> None:
    event = _event(1)
    async with pg_pool.acquire() as conn:
        await conn.execute(
            "CREATE TABLE smoke (event_id uuid PRIMARY KEY, status text NOT NULL,"
            " occurred_at timestamptz NOT NULL)"
        )
        await conn.execute(
            "INSERT INTO smoke VALUES ($1, $2, $3) ON CONFLICT (event_id) DO NOTHING",
            event.event_id,
            event.status.value,
            event.occurred_at,
        )
        # Idempotent: the same event again changes nothing.
        await conn.execute(
            "INSERT INTO smoke VALUES ($1, $2, $3) ON CONFLICT (event_id) DO NOTHING",
            event.event_id,
            event.status.value,
            event.occurred_at,
        )
        rows = await conn.fetch("SELECT event_id, status, occurred_at FROM smoke")
    assert [(r["event_id"], r["status"], r["occurred_at"]) for r in rows] == [
        (event.event_id, "in_transit", event.occurred_at)
    ]
