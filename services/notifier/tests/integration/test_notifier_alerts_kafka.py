"""Alerts through the real broker and PostgreSQL: an order and a stalled alert in (published
twice) → one email to the shopper and one signed POST to the merchant; a poison alert to the
DLQ; three alerts → one merchant digest listing three shipments, then nothing."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg

from suivi_infra import signing
from suivi_infra.kafka import make_consumer
from suivi_infra.settings import KafkaSettings
from suivi_infra.testing import TopicFactory, group_caught_up
from suivi_ingest.testing.signers import stripe_like
from suivi_notifier.bootstrap import bootstrap
from suivi_notifier.settings import NotifierSettings
from suivi_notifier.testing.events import Clock, alert, order
from suivi_notifier.testing.kafka import on_fresh_topics, produce, until_count
from suivi_notifier.testing.smtp_peer import SmtpPeer
from suivi_notifier.testing.webhook_peer import WebhookPeer
from suivi_schemas import OrderEvent, ShipmentAlert

SECRET = "whsec_kafka_test"


async def test_notifier_kafka_stalled_alert_one_email_one_signed_webhook(
    make_settings: Callable[..., NotifierSettings],
    kafka_settings: KafkaSettings,
    kafka_topic: TopicFactory,
    pg_pool: asyncpg.Pool,
    smtp_peer: SmtpPeer,
    webhook_peer: tuple[WebhookPeer, str],
) -> None:
    peer, base = webhook_peer
    merchant = {"webhook_url": f"{base}/hooks/shop", "webhook_secret": SECRET}
    settings = await on_fresh_topics(
        make_settings, kafka_settings, kafka_topic, merchant_alerts={"shop": merchant}
    )
    now = datetime.now(UTC)
    stalled = alert("stalled", uuid.uuid4(), last_event_at=now - timedelta(days=4))
    await produce(
        settings, order("5001"), stalled, stalled,
        poison=(settings.alerts_topic, b'{"kind": "stalled"}'),
    )  # fmt: skip

    service = await bootstrap(settings, pool=pg_pool)
    await service.start()
    dlq = make_consumer(kafka_settings, f"reader-{uuid.uuid4().hex[:6]}", settings.dlq_topic)
    await dlq.start()
    try:
        [mail] = await smtp_peer.wait_for(1, seconds=30)
        [request] = await peer.wait_for(1, seconds=30)
        dead: list[Any] = []
        deadline = asyncio.get_running_loop().time() + 20
        while not dead and asyncio.get_running_loop().time() < deadline:
            for records in (await dlq.getmany(timeout_ms=300)).values():
                dead.extend(records)
        topics = (settings.orders_topic, settings.alerts_topic)
        assert await group_caught_up(settings.kafka, settings.group_id, topics)
        # Re-published by the projections after a crash: the same alert, nothing new.
        await produce(settings, stalled)
        assert await group_caught_up(settings.kafka, settings.group_id, topics)
        await asyncio.sleep(1.0)  # several worker cycles
    finally:
        await dlq.stop()
        await service.stop()

    assert mail["Subject"] == "No news yet for order 5001" and mail["To"] == "jane@example.com"
    assert len(smtp_peer.messages) == 1 and len(peer.requests) == 1
    header = request.headers["suivi-signature"]
    signing.verify(request.body, header, [SECRET], now=time.time())
    assert header == stripe_like(request.body, [SECRET], int(signing.parse(header)[0]))
    document = json.loads(request.body)
    assert document["order_numbers"] == ["5001"]
    assert document["alert"]["event_id"] == str(stalled.event_id)
    [poison] = dead
    headers = dict(poison.headers)
    assert poison.value == b'{"kind": "stalled"}'
    assert headers["suivi-dlq-error"] == b"ValidationError"
    assert headers["suivi-dlq-source-topic"] == settings.alerts_topic.encode()
    sample = service.registry.get_sample_value
    assert sample("suivi_notifier_events_total", {"kind": "alerts", "outcome": "stored"}) == 1
    assert sample("suivi_notifier_events_total", {"kind": "alerts", "outcome": "duplicate"}) == 2
    assert sample("suivi_notifier_events_total", {"kind": "alerts", "outcome": "dead_lettered"})
    text = mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "No news from UPS since" in text


async def test_notifier_kafka_three_alerts_one_digest_then_nothing(
    make_settings: Callable[..., NotifierSettings],
    kafka_settings: KafkaSettings,
    kafka_topic: TopicFactory,
    pg_pool: asyncpg.Pool,
    smtp_peer: SmtpPeer,
) -> None:
    merchant = {"email": "ops@shop.test", "digest_minutes": 30, "locale": "fr"}
    settings = await on_fresh_topics(
        make_settings, kafka_settings, kafka_topic, merchant_alerts={"shop": merchant}
    )
    clock = Clock(datetime.now(UTC))
    silent = clock.now - timedelta(days=3)
    parcels = [("ups", "1Z0000000000000011"), ("dhl", "JD0000000012"), ("gls", "GL0000000013")]
    events: list[OrderEvent | ShipmentAlert] = [
        order(f"60{n}", opt_email=False, shipments=[parcel]) for n, parcel in enumerate(parcels)
    ]
    events += [
        alert("stalled", uuid.uuid4(), last_event_at=silent, carrier=c, tracking_number=t)
        for c, t in parcels
    ]
    await produce(settings, *events)

    service = await bootstrap(settings, pool=pg_pool, clock=clock)
    await service.start()
    try:
        queued = "SELECT count(*) FROM notifier_digest_items"
        assert await until_count(pg_pool, queued, 3) == 3
        await asyncio.sleep(0.5)
        assert smtp_peer.messages == []  # the period is not over
        clock.advance(minutes=31)
        [digest] = await smtp_peer.wait_for(1, seconds=20)
        clock.advance(minutes=31)  # a period with nothing new
        await asyncio.sleep(1.0)
        clock.advance(minutes=31)
        await asyncio.sleep(1.0)
    finally:
        await service.stop()

    assert len(smtp_peer.messages) == 1
    assert digest["To"] == "ops@shop.test"
    assert digest["Subject"] == "Alertes d'expédition pour Boutique <Lumière>\u00a0: 3 bloqués"
    text = digest.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert sorted(line.split(" (")[0] for line in text.splitlines() if line.startswith("- ")) == [
        "- Commande 600", "- Commande 601", "- Commande 602",
    ]  # fmt: skip
    assert service.registry.get_sample_value("suivi_notifier_digests_total", {"outcome": "sent"})
