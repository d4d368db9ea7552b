"""A merchant's console settings (merchants.v1) over the environment's, on the real PostgreSQL
and SMTP / SMS peers: the digest frequency ('off' queues nothing, 'daily' sends once the day is
over) and SMS quiet hours (the merchant's night, in the shopper's zone)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta

import asyncpg

from suivi_infra.merchants import MerchantDirectory
from suivi_notifier.settings import NotifierSettings
from suivi_notifier.testing.events import Clock, alert, order, status
from suivi_notifier.testing.harness import harness
from suivi_notifier.testing.smtp_peer import SmtpPeer
from suivi_notifier.testing.twilio_peer import TwilioPeer
from suivi_schemas.merchants import Branding, MerchantRecord, NotificationSettings

WAITING = "SELECT count(*) FROM notifier_digest_items"


def _record(revision: int, **notifications: object) -> MerchantRecord:
    return MerchantRecord.model_validate({
        "merchant_id": "shop", "revision": revision, "updated_at": datetime.now(UTC),
        "branding": Branding(display_name="Shop"),
        "notifications": NotificationSettings.model_validate(notifications),
    })  # fmt: skip


async def test_notifier_console_digest_frequency_wins_over_the_environment(
    make_settings: Callable[..., NotifierSettings],
    pg_pool: asyncpg.Pool,
    clock: Clock,  # midday UTC
    smtp_peer: SmtpPeer,
) -> None:
    env = {"shop": {"email": "ops@shop.test", "digest_minutes": 60}}
    directory = MerchantDirectory()
    directory.apply("shop", _record(1, digest="off"))
    h = await harness(make_settings(merchant_alerts=env), pg_pool, clock, directory)
    silent = clock.now - timedelta(days=3)
    await h.feed(order("401", opt_email=False, shipments=[("ups", "1Z0000000000000401")]))
    await h.feed(alert("stalled", uuid.uuid4(), last_event_at=silent,
                       tracking_number="1Z0000000000000401"))  # fmt: skip
    await h.cycle()
    h.clock.advance(minutes=61)  # the environment's hourly period is over
    await h.cycle()
    async with pg_pool.acquire() as conn:
        assert await conn.fetchval(WAITING) == 0  # 'off': not even queued
    assert smtp_peer.messages == []

    directory.apply("shop", _record(2, digest="daily"))  # changed in the console, no restart
    await h.feed(order("402", opt_email=False, shipments=[("dhl", "JD0000000402")]))
    await h.feed(alert("late", uuid.uuid4(), last_event_at=silent, expected_by=silent,
                       carrier="dhl", tracking_number="JD0000000402"))  # fmt: skip
    await h.cycle()
    h.clock.advance(minutes=61)
    await h.cycle()
    assert smtp_peer.messages == []  # daily: the day is not over
    h.clock.advance(hours=12)  # past midnight UTC
    await h.cycle()
    [digest] = await smtp_peer.wait_for(1)
    await h.close()
    assert digest["To"] == "ops@shop.test"  # the environment's recipient
    assert digest["Subject"] == "Shipment alerts for Shop: 1 late"


async def test_notifier_console_quiet_hours_replace_the_default_for_sms(
    make_settings: Callable[..., NotifierSettings],
    pg_pool: asyncpg.Pool,
    clock: Clock,  # midday UTC: outside the default night (21:00-08:00)
    smtp_peer: SmtpPeer,
    twilio_peer: tuple[TwilioPeer, str],
) -> None:
    directory = MerchantDirectory()
    directory.apply("shop", _record(1, quiet_start="11:30", quiet_end="14:00"))
    h = await harness(make_settings(), pg_pool, clock, directory)
    await h.feed(order("403", opt_sms=True, timezone="UTC"), status("in_transit", clock.now))
    await h.settle()
    assert len(await smtp_peer.wait_for(1)) == 1  # email is not held back
    [sms] = [r for r in await h.ledger() if r["channel"] == "sms"]
    assert (sms["state"], sms["last_error"]) == ("pending", "quiet_hours")
    assert sms["next_attempt_at"].astimezone(UTC).time() == time(14, 0)
    assert twilio_peer[0].requests == []
    await h.close()
