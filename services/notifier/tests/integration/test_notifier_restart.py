"""A notifier starting again sends what is already due at once, whatever its Kafka consumer is
still waiting for (the broker, or its partitions after a rebalance)."""

from __future__ import annotations

from collections.abc import Callable

import asyncpg

from suivi_infra.ports import free_port
from suivi_infra.settings import KafkaSettings
from suivi_infra.testing import TopicFactory
from suivi_notifier.bootstrap import bootstrap
from suivi_notifier.consumer import build_app, build_broker
from suivi_notifier.settings import NotifierSettings
from suivi_notifier.testing.events import Clock, order, status
from suivi_notifier.testing.harness import harness
from suivi_notifier.testing.kafka import on_fresh_topics
from suivi_notifier.testing.smtp_peer import SmtpPeer


async def test_notifier_due_messages_go_out_while_the_consumer_is_not_assigned(
    make_settings: Callable[..., NotifierSettings],
    kafka_settings: KafkaSettings,
    kafka_topic: TopicFactory,
    pg_pool: asyncpg.Pool,
    smtp_peer: SmtpPeer,
    clock: Clock,
) -> None:
    settings = await on_fresh_topics(make_settings, kafka_settings, kafka_topic)
    # What the previous run left: a decided trigger whose window has ended, not sent yet.
    before = await harness(settings, pg_pool, clock)
    await before.feed(order("3301"), status("delivered", clock.now))
    await before.close()
    clock.advance(seconds=settings.debounce_seconds + 1)

    service = await bootstrap(settings, pool=pg_pool, clock=clock)
    # Its consumer's broker never answers, so the consumer never gets partitions: its start
    # does not end (retried with back-off) for as long as the test runs.
    away = settings.kafka.model_copy(update={"bootstrap_servers": [f"127.0.0.1:{free_port()}"]})
    service.broker, _ = build_broker(settings.model_copy(update={"kafka": away}), service.intake)
    service.app = build_app(service.broker)
    service.start_in_background()
    try:
        mails = await smtp_peer.wait_for(1, seconds=20)
        assert not service.started  # still waiting for the consumer
    finally:
        await service.stop()
    assert [m["Subject"] for m in mails] == ["Your order 3301 has been delivered"]
