"""The console's digest frequency (merchants.v1) over the environment's `digest_minutes`, on the
real PostgreSQL and SMTP peer: 'off' queues nothing, 'daily' sends once the day is over."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import asyncpg

from suivi_infra.merchants import MerchantDirectory
from suivi_notifier.settings import NotifierSettings
from suivi_notifier.testing.events import Clock, alert, order
from suivi_notifier.testing.harness import harness
from suivi_notifier.testing.smtp_peer import SmtpPeer
from suivi_schemas.merchants import Branding, MerchantRecord, NotificationSettings

WAITING = "SELECT count(*) FROM notifier_digest_items"


def _record(revision: int, digest: str) -> MerchantRecord:
    return MerchantRecord.model_validate({
        "merchant_id": "shop", "revision": revision, "updated_at": datetime.now(UTC),
        "branding": Branding(display_name="Shop"),
        "notifications": NotificationSettings.model_validate({"digest": digest}),
    })  # fmt: skip


async def test_notifier_console_digest_frequency_wins_over_the_environment(
    make_settings: Callable[..., NotifierSettings],
    pg_pool: asyncpg.Pool,
    clock: Clock,  # midday UTC
    smtp_peer: SmtpPeer,
) -> None:
    env = {"shop": {"email": "ops@shop.test", "digest_minutes": 60}}
    directory = MerchantDirectory()
    directory.apply("shop", _record(1, "off"))
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

    directory.apply("shop", _record(2, "daily"))  # changed in the console, no restart
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
