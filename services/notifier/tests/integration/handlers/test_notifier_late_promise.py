"""A `late` alert on the shop's own promised day (issue 21), end to end on the real PostgreSQL
and protocol peers: the shopper is told the day the shop promised, once; the merchant's webhook
carries whose day was missed and that day, as published."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import date, timedelta

import asyncpg

from suivi_notifier.settings import NotifierSettings
from suivi_notifier.testing.events import Clock, alert, order
from suivi_notifier.testing.harness import Harness, harness
from suivi_notifier.testing.smtp_peer import SmtpPeer
from suivi_notifier.testing.webhook_peer import WebhookPeer
from suivi_schemas import PromiseSource, ShipmentAlert

PROMISED = date(2026, 3, 5)


def late_on_the_shops_day(h: Harness) -> ShipmentAlert:
    silent = h.clock.now - timedelta(days=3)
    late = alert("late", uuid.uuid4(), last_event_at=silent, expected_by=silent)
    fields = {"promise_source": PromiseSource.MERCHANT, "promised_date": PROMISED}
    return late.model_copy(update=fields)


async def test_notifier_shopper_told_the_shops_promised_day_once(
    h: Harness, smtp_peer: SmtpPeer
) -> None:
    late = late_on_the_shops_day(h)
    await h.feed(order("2020"), late)
    await h.settle()
    await h.feed(late)  # redelivered: nothing more
    await h.settle(3600)
    [mail] = await smtp_peer.wait_for(1)
    assert mail["Subject"] == "Order 2020 is running late"
    text = mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "Your parcel has not arrived by 5 March" in text
    assert "the date Boutique <Lumière> promised" in text
    assert len(smtp_peer.messages) == 1


async def test_notifier_merchant_webhook_says_whose_day_was_missed(
    make_settings: Callable[..., NotifierSettings],
    pg_pool: asyncpg.Pool,
    clock: Clock,
    webhook_peer: tuple[WebhookPeer, str],
) -> None:
    peer, base = webhook_peer
    merchant = {"webhook_url": f"{base}/hooks/shop", "webhook_secret": "whsec_test"}
    h = await harness(make_settings(merchant_alerts={"shop": merchant}), pg_pool, clock)
    late = late_on_the_shops_day(h)
    await h.feed(order("2021", opt_email=False), late)
    await h.cycle()
    [request] = await peer.wait_for(1)
    assert request.headers["suivi-event-type"] == "shipment.late"
    document = json.loads(request.body)
    assert document["alert"]["promise_source"] == "merchant"
    assert document["alert"]["promised_date"] == "2026-03-05"
    await h.close()
