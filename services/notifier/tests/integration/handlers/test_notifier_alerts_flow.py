"""Alerts end to end on the real PostgreSQL server and real protocol peers (the Kafka side in
memory; test_notifier_alerts_kafka goes through the broker): shopper messages once per episode,
recovered only after a told episode, merchant webhooks signed and retried, digests."""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Callable
from datetime import timedelta

import asyncpg
import pytest

from suivi_infra import signing
from suivi_ingest.testing.signers import stripe_like
from suivi_notifier.settings import NotifierSettings
from suivi_notifier.testing.events import Clock, alert, order, status
from suivi_notifier.testing.harness import Harness, harness
from suivi_notifier.testing.smtp_peer import SmtpPeer
from suivi_notifier.testing.twilio_peer import TwilioPeer
from suivi_notifier.testing.webhook_peer import WebhookPeer

SECRET = "whsec_merchant_test"


def outcomes(h: Harness) -> list[tuple[str, str, str]]:
    return [(r.channel.value, r.trigger, r.outcome.value) for r in h.kafka.results]


def assert_no_personal_data(caplog: pytest.LogCaptureFixture, *secrets: str) -> None:
    """The notifier's own log lines never carry an address, a URL of a merchant or a secret."""
    lines = [r.getMessage() for r in caplog.records if r.name.startswith("suivi_notifier")]
    assert lines, "expected the notifier to log something"
    for line in lines:
        for secret in ("jane@example.com", "+33612345678", "/hooks/", SECRET, *secrets):
            assert secret not in line, line


async def test_notifier_stalled_alert_one_email_per_episode_despite_redelivery(
    h: Harness, smtp_peer: SmtpPeer
) -> None:
    silent = h.clock.now - timedelta(days=3)
    # The last checkpoint is too old to tell (past the horizon): only the alert speaks.
    await h.feed(order("2001"), status("in_transit", silent))
    episode = uuid.uuid4()
    stalled = alert("stalled", episode, last_event_at=silent, detected_at=h.clock.now)
    result = await h.feed(stalled)
    assert result.alerts_stored == 1
    await h.settle()
    [mail] = await smtp_peer.wait_for(1)
    assert mail["Subject"] == "No news yet for order 2001"
    text = mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert f"No news from UPS since {silent.day}\u00a0" in text
    assert "longer than usual for this route" in text
    assert h.settings.status_page_base_url + "/orders/" in text
    # Redelivered, and re-published by the projections after a crash (same event id).
    again = await h.feed(stalled, alert("stalled", episode, last_event_at=silent))
    assert again.alerts_stored == 0
    await h.settle()
    await h.settle(3600)
    assert len(smtp_peer.messages) == 1
    [row] = await h.ledger()
    assert (row["trigger"], row["channel"], row["state"]) == (f"stalled:{episode}", "email", "sent")
    assert outcomes(h) == [("email", "stalled", "sent")]
    assert h.kafka.results[0].source_event_id == stalled.event_id
    assert h.metric("suivi_notifier_alerts_total", {"kind": "stalled", "outcome": "notify"}) == 1
    assert h.metric("suivi_notifier_events_total", {"kind": "alerts", "outcome": "duplicate"}) == 2
    # A new episode later is told again.
    await h.feed(alert("late", uuid.uuid4(), last_event_at=silent, expected_by=silent))
    await h.settle()
    assert [m["Subject"] for m in await smtp_peer.wait_for(2)][1] == "Order 2001 is running late"


async def test_notifier_recovered_is_told_only_after_a_told_episode(
    h: Harness, smtp_peer: SmtpPeer
) -> None:
    silent = h.clock.now - timedelta(days=3)
    await h.feed(order("2002", locale="fr"))
    await h.feed(order("2003", opt_email=False, shipments=[("dhl", "JD0002")]))
    told, untold = uuid.uuid4(), uuid.uuid4()
    await h.feed(
        alert("stalled", told, last_event_at=silent),
        alert("stalled", untold, last_event_at=silent, carrier="dhl", tracking_number="JD0002"),
    )
    await h.settle()
    [mail] = await smtp_peer.wait_for(1)
    assert mail["Subject"] == "Pas encore de nouvelles de la commande 2002"
    now = h.clock.now
    await h.feed(
        alert("recovered", told, last_event_at=now),
        alert("recovered", untold, last_event_at=now, carrier="dhl", tracking_number="JD0002"),
    )
    await h.settle()
    messages = await smtp_peer.wait_for(2)
    assert [m["Subject"] for m in messages][1] == "Des nouvelles de votre commande 2002"
    await h.settle(3600)
    assert len(smtp_peer.messages) == 2
    assert h.metric("suivi_notifier_alerts_total", {"kind": "stalled", "outcome": "no_channel"})
    assert h.metric("suivi_notifier_alerts_total", {"kind": "recovered", "outcome": "not_told"})


async def test_notifier_recovered_by_delivery_leaves_it_to_the_delivered_message(
    h: Harness, smtp_peer: SmtpPeer
) -> None:
    silent = h.clock.now - timedelta(days=3)
    episode = uuid.uuid4()
    await h.feed(order("2004"), alert("stalled", episode, last_event_at=silent))
    await h.settle()
    await h.feed(
        status("delivered", h.clock.now),
        alert("recovered", episode, last_event_at=h.clock.now, status="delivered"),
    )
    await h.settle()
    await h.settle(3600)
    subjects = [m["Subject"] for m in await smtp_peer.wait_for(2)]
    assert subjects == ["No news yet for order 2004", "Your order 2004 has been delivered"]
    assert h.metric("suivi_notifier_alerts_total", {"kind": "recovered", "outcome": "delivered"})


async def test_notifier_recovered_supersedes_a_night_sms_never_sent(
    h: Harness, twilio_peer: tuple[TwilioPeer, str], smtp_peer: SmtpPeer
) -> None:
    peer, _ = twilio_peer
    h.clock.now = h.clock.now.replace(hour=22)  # 23:00 or midnight in Paris
    silent = h.clock.now - timedelta(days=3)
    episode = uuid.uuid4()
    await h.feed(order("2005", opt_email=False, opt_sms=True))
    await h.feed(alert("stalled", episode, last_event_at=silent, detected_at=h.clock.now))
    await h.settle()
    assert peer.requests == [] and ("sms", "stalled", "deferred") in outcomes(h)
    h.clock.advance(hours=2)
    await h.feed(alert("recovered", episode, last_event_at=h.clock.now))
    await h.settle()
    h.clock.advance(hours=12)  # the morning has come
    await h.cycle()
    assert peer.requests == [] and smtp_peer.messages == []
    assert ("sms", "stalled", "skipped") in outcomes(h)
    [row] = await h.ledger()
    assert row["state"] == "superseded"


async def test_notifier_alert_waits_for_its_order_and_respects_merchant_triggers(
    make_settings: Callable[..., NotifierSettings],
    pg_pool: asyncpg.Pool,
    clock: Clock,
    smtp_peer: SmtpPeer,
) -> None:
    h = await harness(make_settings(merchant_triggers={"calm": ["delivered"]}), pg_pool, clock)
    silent = clock.now - timedelta(days=2)
    await h.feed(alert("late", uuid.uuid4(), last_event_at=silent, expected_by=silent))
    await h.feed(alert("stalled", uuid.uuid4(), last_event_at=silent, tracking_number="JD9"))
    await h.settle()
    assert smtp_peer.messages == []  # no order yet
    await h.feed(order("2006"), order("1", merchant="calm", shipments=[("ups", "JD9")]))
    await h.cycle()
    [mail] = await smtp_peer.wait_for(1)
    assert mail["Subject"] == "Order 2006 is running late"
    assert h.metric("suivi_notifier_alerts_total", {"kind": "stalled", "outcome": "disabled"})
    await h.close()


def _verified(body: bytes, header: str) -> dict[str, object]:
    """Checked by the shared scheme (the one ingest verifies for its `suivi` provider) and
    against the documented computation, done independently (`stripe_like`, plain hmac)."""
    signing.verify(body, header, [SECRET], now=time.time())
    assert header == stripe_like(body, [SECRET], int(signing.parse(header)[0]))
    document: dict[str, object] = json.loads(body)
    return document


async def test_notifier_merchant_webhook_signed_retried_and_sent_once(
    make_settings: Callable[..., NotifierSettings],
    pg_pool: asyncpg.Pool,
    clock: Clock,
    smtp_peer: SmtpPeer,
    webhook_peer: tuple[WebhookPeer, str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="suivi_notifier")
    peer, base = webhook_peer
    merchant = {"webhook_url": f"{base}/hooks/shop", "webhook_secret": SECRET}
    h = await harness(make_settings(merchant_alerts={"shop": merchant}), pg_pool, clock)
    peer.responses = [(503, {"Retry-After": "2"})]
    stalled = alert("stalled", uuid.uuid4(), last_event_at=clock.now - timedelta(days=3))
    await h.feed(order("2007", opt_email=False), stalled)
    await h.cycle()
    assert [r.answered for r in peer.requests] == [503]
    await h.settle(1)
    assert len(peer.requests) == 1  # Retry-After: 2 s
    await h.settle(2)
    [request] = await peer.wait_for(1)
    await h.feed(stalled)  # redelivered: no second POST
    await h.settle(3600)
    assert len(peer.requests) == 2 and len(peer.delivered) == 1
    first, second = peer.requests
    assert first.headers["suivi-delivery-id"] == second.headers["suivi-delivery-id"]
    assert request.headers["suivi-delivery-id"] == str(stalled.event_id)
    assert request.headers["suivi-event-type"] == "shipment.stalled"
    assert request.headers["content-type"] == "application/json"
    document = _verified(request.body, request.headers["suivi-signature"])
    assert document["order_numbers"] == ["2007"] and document["merchant_id"] == "shop"
    assert document["alert"] == json.loads(stalled.model_dump_json())
    with pytest.raises(signing.SignatureError):
        signing.verify(request.body + b" ", request.headers["suivi-signature"], [SECRET],
                       now=time.time())  # fmt: skip
    assert ("webhook", "stalled", "retrying") in outcomes(h)
    assert ("webhook", "stalled", "sent") in outcomes(h)
    assert h.metric("suivi_notifier_merchant_webhooks_total", {"outcome": "sent"}) == 1
    assert h.metric("suivi_notifier_merchant_webhooks_total", {"outcome": "retried"}) == 1
    assert smtp_peer.messages == []  # the shopper opted out of email
    assert_no_personal_data(caplog, base)
    await h.close()


async def test_notifier_merchant_digest_lists_each_alert_once(
    make_settings: Callable[..., NotifierSettings],
    pg_pool: asyncpg.Pool,
    clock: Clock,
    smtp_peer: SmtpPeer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="suivi_notifier")
    merchant = {"email": "ops@shop.test", "digest_minutes": 60}
    settings = make_settings(merchant_alerts={"shop": merchant}, merchant_names={})
    h = await harness(settings, pg_pool, clock)
    silent = clock.now - timedelta(days=3)
    parcels = [("ups", "1Z0000000000000001"), ("dhl", "JD0000000002"), ("gls", "GL0000000003")]
    for n, (carrier, number) in enumerate(parcels):
        await h.feed(order(f"30{n}", opt_email=False, shipments=[(carrier, number)]))
    await h.feed(
        alert("stalled", uuid.uuid4(), last_event_at=silent, tracking_number=parcels[0][1]),
        alert("late", uuid.uuid4(), last_event_at=silent, expected_by=silent,
              carrier="dhl", tracking_number=parcels[1][1]),
        alert("stalled", uuid.uuid4(), last_event_at=silent, carrier="gls",
              tracking_number=parcels[2][1]),
    )  # fmt: skip
    await h.cycle()
    assert smtp_peer.messages == []  # the hour is not over
    h.clock.advance(minutes=61)
    await h.cycle()
    [digest] = await smtp_peer.wait_for(1)
    assert digest["To"] == "ops@shop.test"
    assert digest["Subject"] == "Shipment alerts for shop: 2 stalled, 1 late"
    assert "List-Unsubscribe" not in digest
    text = digest.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert [line.split(" (")[0] for line in text.splitlines() if line.startswith("- ")] == [
        "- Order 300", "- Order 301", "- Order 302",
    ]  # fmt: skip
    assert "••••0001" in text and "1Z0000000000000001" not in text
    # Nothing new: nothing sent, however long.
    h.clock.advance(minutes=61)
    await h.cycle()
    h.clock.advance(hours=5)
    await h.cycle()
    assert len(smtp_peer.messages) == 1
    # A new alert while SMTP is down: the digest waits, retried, then lists it alone, once.
    await h.feed(
        alert("recovered", uuid.uuid4(), last_event_at=h.clock.now, tracking_number=parcels[0][1])
    )
    await h.cycle()
    await smtp_peer.stop()
    h.clock.advance(minutes=61)
    await h.cycle()
    async with pg_pool.acquire() as conn:
        waiting = await conn.fetchrow("SELECT state, attempts, last_error FROM notifier_digests "
                                      "ORDER BY id DESC LIMIT 1")  # fmt: skip
    assert tuple(waiting) == ("pending", 1, "smtp_unavailable")
    await smtp_peer.start()
    await h.settle(5)
    await h.settle(3600)
    messages = await smtp_peer.wait_for(2)
    assert len(messages) == 2 and messages[1]["Subject"] == "Shipment alerts for shop: 1 recovered"
    async with pg_pool.acquire() as conn:
        rows = await conn.fetch("SELECT items, state, attempts FROM notifier_digests ORDER BY id")
        assert [tuple(r) for r in rows] == [(3, "sent", 1), (1, "sent", 2)]
        assert (
            await conn.fetchval(
                "SELECT count(*) FROM notifier_digest_items WHERE digest_id IS NULL"
            )
            == 0
        )
    assert h.metric("suivi_notifier_digests_total", {"outcome": "sent"}) == 2
    assert h.metric("suivi_notifier_digests_total", {"outcome": "retried"}) == 1
    assert h.metric("suivi_notifier_digest_alerts_total") == 4
    assert_no_personal_data(caplog, "ops@shop.test")
    await h.close()
