"""Returns and claims end to end on the real PostgreSQL server and protocol peers (the Kafka side
in memory; test_notifier_aftersales_kafka goes through the broker): an earlier step read after a
later one tells nobody, an unsubscribe wins, the French words, results on notifications.v1,
the merchant's webhook retried like the alerts', and no personal data in the logs."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

import asyncpg
import pytest

from suivi_notifier.settings import NotifierSettings
from suivi_notifier.testing.aftersales import claim_event, return_event
from suivi_notifier.testing.events import Clock, order
from suivi_notifier.testing.harness import Harness, harness
from suivi_notifier.testing.smtp_peer import SmtpPeer
from suivi_notifier.testing.webhook_peer import WebhookPeer
from suivi_schemas.claims import ClaimEventKind
from suivi_schemas.returns import ReturnEventKind as K

SECRET = "whsec_aftersales_test"


async def test_notifier_return_older_step_tells_nobody_and_results_are_published(
    h: Harness, smtp_peer: SmtpPeer
) -> None:
    at = h.clock.now - timedelta(hours=3)
    # In the language after-sales gives for messages (the shopper's).
    received = return_event(K.RECEIVED, at, order_number="3001", locale="fr")
    await h.feed(order("3001"), received)
    await h.cycle()
    [mail] = await smtp_peer.wait_for(1)
    assert mail["Subject"] == "Boutique <Lumière> a reçu votre retour R-7KQ2M9XA"
    # The drop-off, read late (after the return was received): moot.
    late = await h.feed(return_event(K.DROPPED_OFF, at - timedelta(hours=1), order_number="3001"))
    assert late.aftersales_stored == 1
    await h.cycle()
    assert len(smtp_peer.messages) == 1
    assert h.metric("suivi_notifier_aftersales_total", {"stream": "return", "outcome": "older"})
    [sent] = [r for r in h.kafka.results if r.outcome.value == "sent"]
    assert (sent.trigger, sent.carrier, sent.tracking_number) == (
        "return.received",
        "return",
        "R-7KQ2M9XA",
    )


async def test_notifier_claim_unsubscribed_shopper_is_not_told(
    h: Harness, smtp_peer: SmtpPeer, pg_pool: asyncpg.Pool
) -> None:
    await h.feed(order("3002"))
    async with pg_pool.acquire() as conn:
        await conn.execute(
            "UPDATE notifier_orders SET email_unsubscribed_at = now() WHERE order_number = '3002'"
        )
    await h.feed(claim_event(ClaimEventKind.OPENED, h.clock.now, order_number="3002"))
    await h.cycle()
    assert smtp_peer.messages == []
    assert h.metric("suivi_notifier_aftersales_total", {"stream": "claim", "outcome": "no_channel"})


async def test_notifier_aftersales_webhook_retried_then_sent_once(
    make_settings: Callable[..., NotifierSettings],
    pg_pool: asyncpg.Pool,
    clock: Clock,
    webhook_peer: tuple[WebhookPeer, str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    peer, base = webhook_peer
    merchant = {"webhook_url": f"{base}/hooks/shop", "webhook_secret": SECRET}
    h = await harness(make_settings(merchant_alerts={"shop": merchant}), pg_pool, clock)
    try:
        peer.responses.append((503, {"Retry-After": "2"}))
        event = return_event(K.APPROVED, clock.now, order_number="3003")
        fed = await h.feed(event, event)  # no order needed for the merchant
        assert fed.webhooks_queued == 1
        await h.cycle()
        assert len(peer.requests) == 1 and peer.delivered == []
        clock.advance(seconds=3)
        await h.cycle()
        assert len(peer.delivered) == 1
        request = peer.delivered[0]
        assert request.headers["suivi-event-type"] == "return.approved"
        assert request.headers["suivi-delivery-id"] == str(event.event_id)
        clock.advance(seconds=60)
        await h.feed(event)
        await h.cycle()
        assert len(peer.requests) == 2
        webhooks = [r for r in h.kafka.results if r.channel.value == "webhook"]
        assert [r.outcome.value for r in webhooks] == ["retrying", "sent"]
        assert webhooks[0].trigger == "return.approved"
    finally:
        await h.close()
    for line in (r.getMessage() for r in caplog.records if r.name.startswith("suivi_notifier")):
        assert "/hooks/" not in line and SECRET not in line and "jane@" not in line
