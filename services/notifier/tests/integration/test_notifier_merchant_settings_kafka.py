"""The merchant's console notification settings through the real broker and PostgreSQL: a
record on merchants.v1 with SMS off and no `in_transit` trigger → its parcel going in transit
then delivered is told once, by email, for `delivered`; the SMS row is skipped
`merchant_channel_off`. A merchant without a record keeps the environment's settings (both
triggers, email and SMS), so the difference is the record's doing."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import asyncpg

from suivi_infra.settings import KafkaSettings
from suivi_infra.testing import TopicFactory, group_caught_up
from suivi_notifier.bootstrap import bootstrap
from suivi_notifier.settings import NotifierSettings
from suivi_notifier.testing.events import Clock, order, status
from suivi_notifier.testing.kafka import (
    on_fresh_topics,
    produce,
    publish_record,
    read_topic,
    until_count,
)
from suivi_notifier.testing.smtp_peer import SmtpPeer
from suivi_notifier.testing.twilio_peer import TwilioPeer
from suivi_schemas import NotificationResult, Outcome
from suivi_schemas.merchants import Branding, MerchantRecord, NotificationSettings

CALM = "1Z999AA10000000001"  # the console merchant's parcel
ENV = "1Z999AA10000000002"  # the parcel of a merchant without a record
REACHED = "SELECT count(*) FROM notifier_shipments WHERE '{}' = ANY(reached)"


async def test_notifier_kafka_console_settings_turn_off_sms_and_in_transit(
    make_settings: Callable[..., NotifierSettings],
    kafka_settings: KafkaSettings,
    kafka_topic: TopicFactory,
    pg_pool: asyncpg.Pool,
    smtp_peer: SmtpPeer,
    twilio_peer: tuple[TwilioPeer, str],
    clock: Clock,  # at midday UTC: no SMS waits for the morning
) -> None:
    settings = await on_fresh_topics(make_settings, kafka_settings, kafka_topic, debounce_seconds=5)
    await publish_record(
        settings,
        MerchantRecord(
            merchant_id="calm", revision=1, updated_at=datetime.now(UTC),
            branding=Branding(display_name="Calm Shop"),
            notifications=NotificationSettings(
                channels=("email", "push"), triggers=("out_for_delivery", "delivered")
            ),
        ),
    )  # fmt: skip
    status_topics = (settings.orders_topic, settings.status_topic)
    service = await bootstrap(settings, pool=pg_pool, clock=clock)
    await service.start()
    try:
        await produce(
            settings,
            order("5001", merchant="calm", opt_sms=True, timezone="UTC", shipments=[("ups", CALM)]),
            order("5002", merchant="shop", opt_sms=True, timezone="UTC", shipments=[("ups", ENV)]),
        )
        await produce(
            settings,
            status("in_transit", clock.now - timedelta(hours=1), tracking_number=CALM),
            status("in_transit", clock.now - timedelta(hours=1), tracking_number=ENV),
        )
        assert await until_count(pg_pool, REACHED.format("in_transit"), 2) == 2
        clock.advance(seconds=6)  # in_transit's debounce window is over
        await smtp_peer.wait_for(1, seconds=30)  # the env merchant's in_transit email
        await produce(
            settings,
            status("delivered", clock.now - timedelta(minutes=1), tracking_number=CALM),
            status("delivered", clock.now - timedelta(minutes=1), tracking_number=ENV),
        )
        assert await until_count(pg_pool, REACHED.format("delivered"), 2) == 2
        clock.advance(seconds=6)
        # env: 2 emails + 2 SMS sent; calm: delivered by email sent, by SMS skipped.
        read = await read_topic(kafka_settings, settings.results_topic, 6, seconds=30)
        assert await group_caught_up(settings.kafka, settings.group_id, status_topics)
        await asyncio.sleep(1.0)  # several worker cycles: nothing else goes out
    finally:
        await service.stop()

    results = [NotificationResult.model_validate_json(r.value) for r in read]
    told = sorted(
        (r.tracking_number, r.trigger, r.channel.value, r.outcome.value, r.error or "")
        for r in results
    )
    assert told == [
        (CALM, "delivered", "email", Outcome.SENT.value, ""),
        (CALM, "delivered", "sms", Outcome.SKIPPED.value, "merchant_channel_off"),
        (ENV, "delivered", "email", Outcome.SENT.value, ""),
        (ENV, "delivered", "sms", Outcome.SENT.value, ""),
        (ENV, "in_transit", "email", Outcome.SENT.value, ""),
        (ENV, "in_transit", "sms", Outcome.SENT.value, ""),
    ]
    assert len(smtp_peer.messages) == 3
    calm_mail = [m for m in smtp_peer.messages if "5001" in m["Subject"]]
    assert len(calm_mail) == 1 and "deliver" in calm_mail[0]["Subject"].lower()
    sms = [r.form["Body"] for r in twilio_peer[0].delivered]
    assert len(sms) == 2 and not any("5001" in body for body in sms)
