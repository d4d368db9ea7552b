"""Through the real broker and PostgreSQL: order and status events in → the email at the SMTP
peer → NotificationResult on the results topic; poison to the DLQ; a crash between the send and
the offset commit sends nothing twice."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from suivi_infra.kafka import make_consumer, make_producer
from suivi_infra.settings import KafkaSettings
from suivi_infra.testing import TopicFactory
from suivi_notifier.bootstrap import bootstrap
from suivi_notifier.settings import NotifierSettings
from suivi_notifier.testing.events import order, status
from suivi_notifier.testing.smtp_peer import SmtpPeer
from suivi_schemas import NotificationResult, OrderEvent, Outcome, ShipmentStatusEvent

pytestmark = pytest.mark.integration


async def _settings(
    make_settings: Callable[..., NotifierSettings],
    kafka_settings: KafkaSettings,
    kafka_topic: TopicFactory,
) -> NotifierSettings:
    return make_settings(
        kafka=kafka_settings,
        orders_topic=await kafka_topic("orders", partitions=2),
        status_topic=await kafka_topic("status", partitions=3),
        alerts_topic=await kafka_topic("alerts", partitions=2),
        results_topic=await kafka_topic("results", partitions=2),
        dlq_topic=await kafka_topic("dlq", partitions=1),
        ensure_dlq_topic=False,
        group_id=f"notifier-{uuid.uuid4().hex[:8]}",
        debounce_seconds=0.5,
        poll_interval_seconds=0.1,
        batch_timeout_ms=50,
    )


async def _produce(
    settings: NotifierSettings, *events: OrderEvent | ShipmentStatusEvent, raw: bytes | None = None
) -> None:
    producer = make_producer(settings.kafka)
    await producer.start()
    try:
        for event in events:
            topic = (
                settings.orders_topic if isinstance(event, OrderEvent) else settings.status_topic
            )
            await producer.send_and_wait(
                topic, event.model_dump_json().encode(), key=event.key.encode()
            )
        if raw is not None:
            await producer.send_and_wait(settings.status_topic, raw, key=b"ups:BROKEN")
    finally:
        await producer.stop()


async def _drain(
    consumer: AIOKafkaConsumer, want: int, seconds: float = 20
) -> list[tuple[bytes, dict[str, bytes]]]:
    got: list[tuple[bytes, dict[str, bytes]]] = []
    deadline = asyncio.get_running_loop().time() + seconds
    while len(got) < want and asyncio.get_running_loop().time() < deadline:
        for records in (await consumer.getmany(timeout_ms=300)).values():
            got.extend((r.value, dict(r.headers)) for r in records)
    return got


async def _committed_everything(settings: NotifierSettings, seconds: float = 20) -> bool:
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka.bootstrap_servers)
    probe = make_consumer(settings.kafka, f"probe-{uuid.uuid4().hex[:6]}")
    await admin.start()
    await probe.start()
    try:
        await probe.topics()
        partitions = [
            TopicPartition(topic, p)
            for topic in (settings.orders_topic, settings.status_topic)
            for p in probe.partitions_for_topic(topic) or ()
        ]
        ends = await probe.end_offsets(partitions)
        deadline = asyncio.get_running_loop().time() + seconds
        while asyncio.get_running_loop().time() < deadline:
            committed = await admin.list_consumer_group_offsets(settings.group_id)
            if all(
                committed.get(tp) is not None and committed[tp].offset == end
                for tp, end in ends.items()
                if end
            ):
                return True
            await asyncio.sleep(0.2)
        return False
    finally:
        await probe.stop()
        await admin.close()


async def test_notifier_kafka_order_and_status_in_email_out_result_published(
    make_settings: Callable[..., NotifierSettings],
    kafka_settings: KafkaSettings,
    kafka_topic: TopicFactory,
    pg_pool: asyncpg.Pool,
    smtp_peer: SmtpPeer,
) -> None:
    settings = await _settings(make_settings, kafka_settings, kafka_topic)
    now = datetime.now(UTC)
    shipped = status("in_transit", now - timedelta(hours=2))
    delivered = status("delivered", now - timedelta(minutes=1))
    await _produce(settings, order("3001", locale="fr"), shipped, delivered, raw=b'{"oops": 1}')

    service = await bootstrap(settings, pool=pg_pool)
    await service.start()
    results = make_consumer(
        kafka_settings, f"reader-{uuid.uuid4().hex[:6]}", settings.results_topic
    )
    dlq = make_consumer(kafka_settings, f"reader-{uuid.uuid4().hex[:6]}", settings.dlq_topic)
    await results.start()
    await dlq.start()
    try:
        [mail] = await smtp_peer.wait_for(1, seconds=30)
        published = [NotificationResult.model_validate_json(v) for v, _ in await _drain(results, 1)]
        dead = await _drain(dlq, 1)
        assert await _committed_everything(settings)
    finally:
        await results.stop()
        await dlq.stop()
        await service.stop()

    assert mail["Subject"] == "Votre commande 3001 a été livrée"
    [result] = published
    assert (result.channel.value, result.trigger, result.outcome) == (
        "email",
        "delivered",
        Outcome.SENT,
    )
    assert result.source_event_id == delivered.event_id and result.order_number == "3001"
    assert len(smtp_peer.messages) == 1
    [(value, headers)] = dead
    assert value == b'{"oops": 1}'
    assert headers["suivi-dlq-error"] == b"ValidationError"
    assert headers["suivi-dlq-source-topic"] == settings.status_topic.encode()


async def test_notifier_killed_between_send_and_offset_commit_sends_no_duplicate(
    make_settings: Callable[..., NotifierSettings],
    kafka_settings: KafkaSettings,
    kafka_topic: TopicFactory,
    pg_pool: asyncpg.Pool,
    smtp_peer: SmtpPeer,
) -> None:
    settings = await _settings(make_settings, kafka_settings, kafka_topic)
    now = datetime.now(UTC)
    await _produce(settings, order("3002"), status("out_for_delivery", now - timedelta(minutes=3)))

    # Instance A consumes a batch, records its decisions, sends, and dies before committing.
    first = await bootstrap(settings, pool=pg_pool, consume=False)
    await first.start()
    consumer = make_consumer(
        kafka_settings, settings.group_id, settings.orders_topic, settings.status_topic
    )
    await consumer.start()
    try:
        consumed = 0
        deadline = asyncio.get_running_loop().time() + 20
        while consumed < 2 and asyncio.get_running_loop().time() < deadline:
            for records in (await consumer.getmany(timeout_ms=300)).values():
                await first.intake.process(records)
                consumed += len(records)
        assert consumed == 2
        assert len(await smtp_peer.wait_for(1, seconds=30)) == 1
    finally:
        await consumer.stop()  # no commit
        await first.stop()

    # Instance B, same group: the batch comes again; the ledger says it was sent.
    second = await bootstrap(settings, pool=pg_pool)
    await second.start()
    try:
        assert await _committed_everything(settings)
        await asyncio.sleep(1.5)  # past the debounce window and a few worker cycles
    finally:
        await second.stop()
    assert len(smtp_peer.messages) == 1
    assert (
        second.registry.get_sample_value(
            "suivi_notifier_events_total", {"kind": "status", "outcome": "duplicate"}
        )
        == 1
    )
