"""The projector through the real broker: events in, read model out, poison dead-lettered,
offsets committed only after the transaction."""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta, timezone

import asyncpg
import pytest
from aiokafka import TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from suivi_infra.kafka import make_consumer, make_producer
from suivi_infra.settings import KafkaSettings, PostgresSettings
from suivi_infra.testing import TopicFactory
from suivi_projections.bootstrap import bootstrap
from suivi_projections.domain.orders import OrderStatus
from suivi_projections.query.readmodel import PostgresReadModel
from suivi_projections.testing.kafka import on_fresh_topics
from suivi_projections.testing.samples import T0, order_event, status_event
from suivi_schemas import ShipmentStatus

S = ShipmentStatus


async def committed(settings: KafkaSettings, group: str) -> dict[str, int]:
    """Committed offsets of the group, summed per topic (topics it has read from)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.bootstrap_servers)
    await admin.start()
    try:
        offsets = await admin.list_consumer_group_offsets(group)
    finally:
        await admin.close()
    totals: dict[str, int] = {}
    for tp, meta in offsets.items():
        if meta.offset > 0:  # an empty topic the group follows is committed at 0: nothing read
            totals[tp.topic] = totals.get(tp.topic, 0) + meta.offset
    return totals


async def eventually(check: Callable[[], Awaitable[bool]], seconds: float = 20) -> bool:
    deadline = asyncio.get_running_loop().time() + seconds
    while asyncio.get_running_loop().time() < deadline:
        if await check():
            return True
        await asyncio.sleep(0.2)
    return False


async def test_orders_and_status_events_through_kafka(
    kafka_settings: KafkaSettings,
    kafka_topic: TopicFactory,
    postgres_settings: PostgresSettings,
    pg_pool: asyncpg.Pool,
    pg_schema: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings = await on_fresh_topics(
        kafka_topic, kafka_settings, postgres_settings, partitions=3, migrate_on_start=False
    )
    status_topic, orders_topic = settings.status_topic, settings.orders_topic
    dlq_topic, group = settings.dlq_topic, settings.group_id
    number = "1Z999AA1"
    placed = order_event("acme", "1001", shipments=[("ups", number, [("li-1", 1)])])
    events = [
        status_event("ups", number, T0, S.INFO_RECEIVED),
        status_event("ups", number, T0.replace(hour=15), S.IN_TRANSIT),
        status_event("ups", number, T0.replace(day=5), S.DELIVERED),
    ]
    nul = json.loads(events[0].model_dump_json()) | {"raw_message": "bad\u0000byte"}
    producer = make_producer(kafka_settings)
    await producer.start()
    try:
        await producer.send_and_wait(orders_topic, placed.model_dump_json().encode(), key=b"k")
        for event in events:
            await producer.send_and_wait(
                status_topic, event.model_dump_json().encode(), key=event.key.encode()
            )
        await producer.send_and_wait(status_topic, b'{"oops": true}', key=b"ups:X")
        await producer.send_and_wait(status_topic, json.dumps(nul).encode(), key=b"ups:Y")
    finally:
        await producer.stop()
    server_settings = {"search_path": pg_schema}

    # No tables yet: every batch fails, so nothing may be committed.
    broken = bootstrap(settings, serve_metrics=False, server_settings=server_settings)
    async with broken.app:
        assert await eventually(lambda: _logged(caplog, "batch not processed"))
        await asyncio.sleep(0.5)
    assert await committed(kafka_settings, group) == {}
    # One line per failed batch, naming the error class only: no traceback, no message (a
    # database error's message may quote a row).
    consumer_log = [r for r in caplog.records if r.name == "suivi_projections.consumer"]
    assert not [r for r in consumer_log if r.levelno >= logging.ERROR and r.exc_info]

    settings = settings.model_copy(update={"migrate_on_start": True})
    service = bootstrap(settings, serve_metrics=False, server_settings=server_settings)
    model = PostgresReadModel(pg_pool)

    async def delivered() -> bool:
        view = await model.order_by_number("acme", "1001")
        return view is not None and view.status is OrderStatus.DELIVERED

    async with service.app:
        assert await eventually(delivered)
        assert await eventually(
            lambda: _equals(committed(kafka_settings, group), {status_topic: 5, orders_topic: 1})
        )
        dlq = make_consumer(kafka_settings, f"reader-{uuid.uuid4().hex[:6]}", dlq_topic)
        await dlq.start()
        try:
            dead = await dlq.getmany(TopicPartition(dlq_topic, 0), timeout_ms=10_000)
        finally:
            await dlq.stop()
    records = [r for batch in dead.values() for r in batch]
    errors = sorted(dict(r.headers)["suivi-dlq-error"] for r in records)
    # The NUL in free text is dropped by the contract: that event is applied (a duplicate).
    assert errors == [b"ValidationError"]
    assert all(dict(r.headers)["suivi-dlq-source-topic"] == status_topic.encode() for r in records)
    sample = service.registry.get_sample_value
    assert (
        sample(
            "suivi_projections_events_applied_total", {"topic": status_topic, "status": "delivered"}
        )
        == 1
    )
    assert (
        sample("suivi_projections_events_applied_total", {"topic": orders_topic, "status": "order"})
        == 1
    )
    freshness = sample("suivi_projections_freshness_seconds")
    assert freshness is not None and freshness > 0

    # Restarted, the group resumes after its commits: nothing is applied twice.
    again = bootstrap(settings, serve_metrics=False, server_settings=server_settings)
    async with again.app:
        await asyncio.sleep(2)
    assert again.registry.get_sample_value("suivi_projections_batch_size_records_count") in (
        None,
        0.0,
    )


async def _equals(value: Awaitable[dict[str, int]], expected: dict[str, int]) -> bool:
    return await value == expected


async def _logged(caplog: pytest.LogCaptureFixture, text: str) -> bool:
    return any(text in r.getMessage() for r in caplog.records)


async def test_records_postgresql_refuses_are_dead_lettered_and_the_rest_applied(
    kafka_settings: KafkaSettings,
    kafka_topic: TopicFactory,
    postgres_settings: PostgresSettings,
    pg_pool: asyncpg.Pool,
    pg_schema: str,
) -> None:
    settings = await on_fresh_topics(
        kafka_topic, kafka_settings, postgres_settings, monitor_enabled=False
    )
    status_topic, orders_topic = settings.status_topic, settings.orders_topic
    dlq_topic, group = settings.dlq_topic, settings.group_id
    placed = order_event("acme", "2001", shipments=[("ups", "1Z999AA2", [("li-1", 1)])])
    delivered = status_event("ups", "1Z999AA2", T0.replace(day=5), S.DELIVERED)
    # Valid by the contract, but before PostgreSQL's first date once in UTC.
    too_old = status_event(
        "ups", "1Z999AA3", datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=14))), S.IN_TRANSIT
    )
    producer = make_producer(kafka_settings)
    await producer.start()
    try:
        await producer.send_and_wait(orders_topic, placed.model_dump_json().encode(), key=b"k")
        for event in (too_old, delivered):
            await producer.send_and_wait(
                status_topic, event.model_dump_json().encode(), key=event.key.encode()
            )
    finally:
        await producer.stop()
    service = bootstrap(settings, serve_metrics=False, server_settings={"search_path": pg_schema})
    model = PostgresReadModel(pg_pool)

    async def applied() -> bool:
        view = await model.order_by_number("acme", "2001")
        return view is not None and view.status is OrderStatus.DELIVERED

    async with service.app:
        assert await eventually(applied)
        assert await eventually(
            lambda: _equals(committed(kafka_settings, group), {status_topic: 2, orders_topic: 1})
        )
        dlq = make_consumer(kafka_settings, f"reader-{uuid.uuid4().hex[:6]}", dlq_topic)
        await dlq.start()
        try:
            dead = await dlq.getmany(TopicPartition(dlq_topic, 0), timeout_ms=10_000)
        finally:
            await dlq.stop()
    [record] = [r for batch in dead.values() for r in batch]
    assert record.key == too_old.key.encode()
    headers = dict(record.headers)
    # The projector's date arithmetic fails before PostgreSQL would: a bug only this value
    # triggers, isolated because the batch's other records went through.
    assert headers["suivi-dlq-error"] == b"OverflowError"
    assert headers["suivi-dlq-reason"] == b"OverflowError"
    counted = {"topic": status_topic, "error": "OverflowError"}
    assert service.registry.get_sample_value("suivi_projections_dead_letters_total", counted) == 1
