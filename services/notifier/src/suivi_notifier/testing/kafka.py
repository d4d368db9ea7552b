"""Kafka side of the notifier's broker tests: settings on fresh topics, a producer of order,
status, alert, return and claim events (each to its topic, keyed like the real producers) and
of the console's merchant records, and a reader of what the notifier publishes."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable

import asyncpg
from aiokafka import ConsumerRecord

from suivi_infra.kafka import make_consumer, make_producer
from suivi_infra.settings import KafkaSettings
from suivi_infra.testing import TopicFactory
from suivi_notifier.settings import NotifierSettings
from suivi_schemas import OrderEvent, ShipmentAlert, ShipmentStatusEvent
from suivi_schemas.claims import ClaimEvent
from suivi_schemas.merchants import MerchantRecord
from suivi_schemas.returns import ReturnEvent

Event = OrderEvent | ShipmentStatusEvent | ShipmentAlert | ReturnEvent | ClaimEvent


async def on_fresh_topics(
    make_settings: Callable[..., NotifierSettings],
    kafka_settings: KafkaSettings,
    kafka_topic: TopicFactory,
    **overrides: object,
) -> NotifierSettings:
    """Settings whose topics and consumer group are the test's own; quick polling."""
    return make_settings(
        kafka=kafka_settings,
        orders_topic=await kafka_topic("orders", partitions=2),
        status_topic=await kafka_topic("status", partitions=3),
        alerts_topic=await kafka_topic("alerts", partitions=2),
        returns_topic=await kafka_topic("returns", partitions=2),
        claims_topic=await kafka_topic("claims", partitions=2),
        merchants_topic=await kafka_topic("merchants", partitions=1),
        results_topic=await kafka_topic("results", partitions=2),
        dlq_topic=await kafka_topic("dlq", partitions=1),
        group_id=f"notifier-{uuid.uuid4().hex[:8]}",
        poll_interval_seconds=0.1,
        batch_timeout_ms=50,
        **overrides,
    )


def topic_of(settings: NotifierSettings, event: Event) -> str:
    if isinstance(event, OrderEvent):
        return settings.orders_topic
    if isinstance(event, ShipmentAlert):
        return settings.alerts_topic
    if isinstance(event, ReturnEvent):
        return settings.returns_topic
    if isinstance(event, ClaimEvent):
        return settings.claims_topic
    return settings.status_topic


async def produce(
    settings: NotifierSettings, *events: Event, poison: tuple[str, bytes] | None = None
) -> None:
    """Sends each event to its topic; `poison`: (topic, bytes) sent after them, unreadable."""
    producer = make_producer(settings.kafka)
    await producer.start()
    try:
        for event in events:
            await producer.send_and_wait(
                topic_of(settings, event), event.model_dump_json().encode(), key=event.key.encode()
            )
        if poison is not None:
            await producer.send_and_wait(poison[0], poison[1], key=b"ups:BROKEN")
    finally:
        await producer.stop()


async def publish_record(settings: NotifierSettings, record: MerchantRecord) -> None:
    """A merchant's console record on the settings' merchants.v1 topic, keyed by merchant."""
    producer = make_producer(settings.kafka)
    await producer.start()
    try:
        await producer.send_and_wait(
            settings.merchants_topic, record.model_dump_json().encode(),
            key=record.merchant_id.encode(),
        )  # fmt: skip
    finally:
        await producer.stop()


async def read_topic(
    kafka: KafkaSettings, topic: str, want: int, seconds: float = 20
) -> list[ConsumerRecord[bytes, bytes]]:
    """The topic's records from the beginning, until `want` or `seconds` pass (a new group)."""
    reader = make_consumer(kafka, f"reader-{uuid.uuid4().hex[:6]}", topic)
    await reader.start()
    got: list[ConsumerRecord[bytes, bytes]] = []
    try:
        deadline = asyncio.get_running_loop().time() + seconds
        while len(got) < want and asyncio.get_running_loop().time() < deadline:
            for records in (await reader.getmany(timeout_ms=300)).values():
                got.extend(records)
    finally:
        await reader.stop()
    return got


async def until_count(pool: asyncpg.Pool, query: str, want: int, seconds: float = 20) -> int:
    """Polls `query` (a count) until it reaches `want` or `seconds` pass; returns the last."""
    deadline = asyncio.get_running_loop().time() + seconds
    async with pool.acquire() as conn:
        while True:
            got: int = await conn.fetchval(query)
            if got >= want or asyncio.get_running_loop().time() > deadline:
                return got
            await asyncio.sleep(0.1)
