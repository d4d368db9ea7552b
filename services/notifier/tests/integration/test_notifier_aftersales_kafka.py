"""Returns and claims through the real broker and PostgreSQL: a return's journey, every event
published twice and shuffled (and before its order), tells the shopper each step once by email
and SMS, and a poison record is dead-lettered while the rest go on; a claim's changes reach the
merchant's webhook, signed, once each, at the URL and with the secret set through merchants.v1,
and a change of that record is used without a restart."""

from __future__ import annotations

import asyncio
import json
import random
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import asyncpg
from pydantic import SecretStr

from suivi_infra import signing
from suivi_infra.merchants import MerchantDirectory
from suivi_infra.sealing import seal
from suivi_infra.settings import KafkaSettings
from suivi_infra.testing import TopicFactory, group_caught_up
from suivi_notifier.bootstrap import bootstrap
from suivi_notifier.settings import NotifierSettings
from suivi_notifier.testing.aftersales import claim_event, return_journey
from suivi_notifier.testing.events import Clock, order
from suivi_notifier.testing.kafka import (
    on_fresh_topics,
    produce,
    publish_record,
    read_topic,
    until_count,
)
from suivi_notifier.testing.smtp_peer import SmtpPeer
from suivi_notifier.testing.twilio_peer import TwilioPeer
from suivi_notifier.testing.webhook_peer import WebhookPeer
from suivi_schemas.claims import ClaimEventKind, ClaimOutcome
from suivi_schemas.merchants import Branding, MerchantRecord, WebhookEndpoint

SEALING = "sealing-key-of-the-console-" + "x" * 16


async def test_notifier_kafka_return_journey_duplicated_and_shuffled_tells_each_step_once(
    make_settings: Callable[..., NotifierSettings],
    kafka_settings: KafkaSettings,
    kafka_topic: TopicFactory,
    pg_pool: asyncpg.Pool,
    smtp_peer: SmtpPeer,
    twilio_peer: tuple[TwilioPeer, str],
    clock: Clock,  # at midday: no SMS deferred to the morning
) -> None:
    settings = await on_fresh_topics(make_settings, kafka_settings, kafka_topic)
    journey = return_journey(clock.now - timedelta(hours=2), order_number="7001")
    replay = journey * 2
    random.Random(19).shuffle(replay)
    service = await bootstrap(settings, pool=pg_pool, clock=clock)
    await service.start()
    try:
        # The events first (a replay before the order is known), a poison record among them.
        await produce(settings, *replay, poison=(settings.returns_topic, b'{"kind": "refunded"}'))
        stored = "SELECT count(*) FROM notifier_aftersales_events"
        assert await until_count(pg_pool, stored, len(journey)) == len(journey)
        await produce(settings, order("7001", opt_sms=True, timezone="UTC"))
        mails = await smtp_peer.wait_for(5, seconds=30)
        dead = await read_topic(kafka_settings, settings.dlq_topic, 1)
        topics = (settings.orders_topic, settings.returns_topic)
        # Published again (after-sales' relay after a crash): nothing new.
        await produce(settings, *journey)
        assert await group_caught_up(settings.kafka, settings.group_id, topics)
        await asyncio.sleep(1.0)  # several worker cycles
    finally:
        await service.stop()

    subjects = [m["Subject"] for m in smtp_peer.messages]
    assert sorted(subjects) == sorted(
        [
            "Your return R-7KQ2M9XA is approved",
            "The label for your return R-7KQ2M9XA is ready",
            "Your return R-7KQ2M9XA has been dropped off",
            "Boutique <Lumière> has received your return R-7KQ2M9XA",
            "Your return R-7KQ2M9XA has been refunded",
        ]
    )
    sms = [r.form["Body"] for r in twilio_peer[0].delivered]
    assert len(sms) == 5 and all("/orders/" in b and "/returns/R-7KQ2M9XA" in b for b in sms)
    text = mails[0].get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "http://127.0.0.1:8094/orders/" in text
    [poison] = dead
    headers = dict(poison.headers)
    assert headers["suivi-dlq-error"] == b"ValidationError"
    assert headers["suivi-dlq-source-topic"] == settings.returns_topic.encode()
    sample = service.registry.get_sample_value
    events = {"kind": "aftersales", "outcome": "stored"}
    assert sample("suivi_notifier_events_total", events) == len(journey)
    assert sample("suivi_notifier_events_total", {"kind": "aftersales", "outcome": "duplicate"})
    assert sample("suivi_notifier_aftersales_total", {"stream": "return", "outcome": "notify"}) == 5


def _record(revision: int, url: str, secret: str) -> MerchantRecord:
    return MerchantRecord(
        merchant_id="shop", revision=revision, updated_at=datetime.now(UTC),
        branding=Branding(display_name="Atelier Console"),
        webhooks=(WebhookEndpoint(endpoint_id="ep1", url=url, events=("claims",),
                                  sealed_secrets=(seal(SEALING, secret, "shop:ep1"),)),),
    )  # fmt: skip


def _followed(directory: MerchantDirectory | None) -> MerchantRecord | None:
    return directory.record("shop") if directory is not None else None


async def test_notifier_kafka_claim_changes_reach_the_console_webhook_signed_once(
    make_settings: Callable[..., NotifierSettings],
    kafka_settings: KafkaSettings,
    kafka_topic: TopicFactory,
    pg_pool: asyncpg.Pool,
    smtp_peer: SmtpPeer,
    webhook_peer: tuple[WebhookPeer, str],
    clock: Clock,
) -> None:
    peer, base = webhook_peer
    settings = await on_fresh_topics(
        make_settings, kafka_settings, kafka_topic, sealing_key=SecretStr(SEALING)
    )
    await publish_record(settings, _record(1, f"{base}/hooks/first", "whsec_first"))
    at = clock.now - timedelta(hours=1)
    opened = claim_event(ClaimEventKind.OPENED, at, order_number="8001")
    answer = claim_event(
        ClaimEventKind.MERCHANT_MESSAGE, at + timedelta(minutes=5), messages=2, order_number="8001"
    )
    await produce(settings, order("8001"), opened, answer, opened, answer)
    service = await bootstrap(settings, pool=pg_pool, clock=clock)
    await service.start()
    try:
        first = await peer.wait_for(2, seconds=30)
        await smtp_peer.wait_for(2, seconds=30)
        # The merchant changes the endpoint in the console: the next change goes there.
        await publish_record(settings, _record(2, f"{base}/hooks/second", "whsec_second"))
        deadline = asyncio.get_running_loop().time() + 20
        while (record := _followed(service.directory)) is None or record.revision < 2:
            assert asyncio.get_running_loop().time() < deadline, "record not followed"
            await asyncio.sleep(0.05)
        resolved = claim_event(
            ClaimEventKind.RESOLVED, at + timedelta(minutes=9), messages=2,
            outcome=ClaimOutcome.RESHIP, order_number="8001",
        )  # fmt: skip
        await produce(settings, resolved, resolved)
        delivered = await peer.wait_for(3, seconds=30)
        await smtp_peer.wait_for(3, seconds=30)
        topics = (settings.orders_topic, settings.claims_topic)
        assert await group_caught_up(settings.kafka, settings.group_id, topics)
        await asyncio.sleep(1.0)
    finally:
        await service.stop()

    assert len(first) == 2 and len(peer.requests) == 3 == len(delivered)
    by_type = {r.headers["suivi-event-type"]: r for r in delivered}
    assert set(by_type) == {"claim.opened", "claim.merchant_message", "claim.resolved"}
    for kind, path, secret in (
        ("claim.opened", "/hooks/first", "whsec_first"),
        ("claim.resolved", "/hooks/second", "whsec_second"),
    ):
        request = by_type[kind]
        assert request.path == path
        signing.verify(request.body, request.headers["suivi-signature"], [secret], now=time.time())
    body = json.loads(by_type["claim.resolved"].body)
    assert body["claim"]["outcome"] == "reship" and body["claim"]["claim_id"] == "C-4HW8PZ3N"
    assert by_type["claim.resolved"].headers["suivi-delivery-id"] == str(resolved.event_id)
    subjects = sorted(m["Subject"] for m in smtp_peer.messages)
    assert subjects == [
        "Atelier Console answered your claim C-4HW8PZ3N",
        "We've received your claim C-4HW8PZ3N",
        "Your claim C-4HW8PZ3N is resolved: a new parcel",
    ]
