"""Through the real broker and PostgreSQL: order and status events in → the email at the SMTP
peer → NotificationResult on the results topic; poison to the DLQ; a crash between the send and
the offset commit sends nothing twice."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import asyncpg
from aiokafka import AIOKafkaConsumer

from suivi_infra.kafka import make_consumer
from suivi_infra.settings import KafkaSettings
from suivi_infra.testing import TopicFactory, group_caught_up
from suivi_notifier.bootstrap import bootstrap
from suivi_notifier.settings import NotifierSettings
from suivi_notifier.testing.events import order, status
from suivi_notifier.testing.kafka import on_fresh_topics, produce
from suivi_notifier.testing.smtp_peer import SmtpPeer
from suivi_schemas import NotificationResult, Outcome


async def _drain(
    consumer: AIOKafkaConsumer, want: int, seconds: float = 20
) -> list[tuple[bytes, dict[str, bytes]]]:
    got: list[tuple[bytes, dict[str, bytes]]] = []
    deadline = asyncio.get_running_loop().time() + seconds
    while len(got) < want and asyncio.get_running_loop().time() < deadline:
        for records in (await consumer.getmany(timeout_ms=300)).values():
            got.extend((r.value, dict(r.headers)) for r in records)
    return got


async def test_notifier_kafka_order_and_status_in_email_out_result_published(
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
    shipped = status("in_transit", now - timedelta(hours=2))
    delivered = status("delivered", now - timedelta(minutes=1))
    await produce(
        settings, order("3001", locale="fr"), shipped, delivered,
        poison=(settings.status_topic, b'{"oops": 1}'),
    )  # fmt: skip

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
        assert await group_caught_up(
            settings.kafka, settings.group_id, [settings.orders_topic, settings.status_topic]
        )
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
    settings = await on_fresh_topics(
        make_settings, kafka_settings, kafka_topic, debounce_seconds=0.5
    )
    now = datetime.now(UTC)
    await produce(settings, order("3002"), status("out_for_delivery", now - timedelta(minutes=3)))

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
        assert await group_caught_up(
            settings.kafka, settings.group_id, [settings.orders_topic, settings.status_topic]
        )
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
