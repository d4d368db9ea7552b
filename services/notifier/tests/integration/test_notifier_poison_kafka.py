"""Through the real broker and PostgreSQL: records PostgreSQL cannot store (a NUL in a tracking
number, a date out of its range) are dead-lettered with why; the batch's other records are
processed and the offsets committed (issue 12: the notifier re-read such a batch forever)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone

import asyncpg
from aiokafka import AIOKafkaConsumer

from suivi_infra.kafka import make_consumer, make_producer
from suivi_infra.settings import KafkaSettings
from suivi_infra.testing import TopicFactory, group_caught_up
from suivi_notifier.bootstrap import bootstrap
from suivi_notifier.settings import NotifierSettings
from suivi_notifier.testing.events import order, status
from suivi_notifier.testing.kafka import on_fresh_topics, produce
from suivi_notifier.testing.smtp_peer import SmtpPeer


async def _dead_letters(
    consumer: AIOKafkaConsumer, want: int
) -> list[tuple[bytes | None, dict[str, bytes]]]:
    got: list[tuple[bytes | None, dict[str, bytes]]] = []
    deadline = asyncio.get_running_loop().time() + 30
    while len(got) < want and asyncio.get_running_loop().time() < deadline:
        for records in (await consumer.getmany(timeout_ms=300)).values():
            got.extend((r.key, dict(r.headers)) for r in records)
    return got


async def test_notifier_kafka_records_postgresql_refuses_are_dead_lettered_the_rest_go_on(
    make_settings: Callable[..., NotifierSettings],
    kafka_settings: KafkaSettings,
    kafka_topic: TopicFactory,
    pg_pool: asyncpg.Pool,
    smtp_peer: SmtpPeer,
) -> None:
    settings = await on_fresh_topics(
        make_settings, kafka_settings, kafka_topic, debounce_seconds=0.5
    )
    now = datetime.now(UTC)
    # The reported webhook's event: a valid event but for the U+0000 in its tracking number.
    nul = status("in_transit", now - timedelta(hours=1), tracking_number="1Z999AA10123456785")
    nul_json = nul.model_dump_json().replace("1Z999AA10123456785", "1Z999AA1\\u00000123456785")
    # Valid by the contract, but before PostgreSQL's first date once in UTC.
    # (Its own parcel: one older than its parcel's latest event would change nothing.)
    too_old = status(
        "in_transit",
        datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=14))),
        tracking_number="1Z999AA10123456786",
    )
    producer = make_producer(settings.kafka)
    await producer.start()
    try:
        await producer.send_and_wait(settings.status_topic, nul_json.encode(), key=b"ups:NUL")
        await producer.send_and_wait(
            settings.status_topic, too_old.model_dump_json().encode(), key=b"ups:OLD"
        )
    finally:
        await producer.stop()
    await produce(settings, order("3001"), status("delivered", now - timedelta(minutes=1)))

    service = await bootstrap(settings, pool=pg_pool)
    await service.start()
    dlq = make_consumer(kafka_settings, f"reader-{uuid.uuid4().hex[:6]}", settings.dlq_topic)
    await dlq.start()
    try:
        dead = await _dead_letters(dlq, 2)
        [mail] = await smtp_peer.wait_for(1, seconds=30)
        assert await group_caught_up(
            settings.kafka, settings.group_id, [settings.orders_topic, settings.status_topic]
        )
    finally:
        await dlq.stop()
        await service.stop()

    assert mail["Subject"] == "Your order 3001 has been delivered"
    reasons = {key: h["suivi-dlq-reason"] for key, h in dead}
    assert reasons.keys() == {b"ups:NUL", b"ups:OLD"}
    assert all(h["suivi-dlq-source-topic"] == settings.status_topic.encode() for _, h in dead)
    assert b"tracking_number" in reasons[b"ups:NUL"] or b"22021" in reasons[b"ups:NUL"]
    assert b"SQLSTATE" in reasons[b"ups:OLD"]  # the date PostgreSQL refuses, not the date
    counted = {"kind": "status", "outcome": "dead_lettered"}
    assert service.registry.get_sample_value("suivi_notifier_events_total", counted) == 2
