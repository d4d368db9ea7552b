"""A notifier process that dies, or falls behind, never makes a shopper's message vanish: a
trigger whose debounce window has ended is owed, whatever is read after it."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta

import asyncpg
import pytest

from suivi_infra.settings import PostgresSettings
from suivi_notifier.adapters import pg_claims, pg_merchant
from suivi_notifier.settings import NotifierSettings
from suivi_notifier.testing.events import Clock, alert, order, status
from suivi_notifier.testing.harness import Harness, harness
from suivi_notifier.testing.smtp_peer import SmtpPeer
from suivi_notifier.testing.twilio_peer import TwilioPeer
from suivi_notifier.testing.webhook_peer import WebhookPeer


@pytest.fixture
async def session(
    postgres_settings: PostgresSettings, pg_schema: str
) -> AsyncIterator[Callable[[], Awaitable[asyncpg.Connection]]]:
    """Opens PostgreSQL sessions of another notifier process (closed at the end if still open)."""
    opened: list[asyncpg.Connection] = []

    async def open_one() -> asyncpg.Connection:
        conn = await asyncpg.connect(
            postgres_settings.database_url, server_settings={"search_path": pg_schema}
        )
        opened.append(conn)
        return conn

    yield open_one
    for conn in opened:
        if not conn.is_closed():
            await conn.close()


async def test_notifier_trigger_due_while_the_dispatcher_was_down_is_still_sent(
    h: Harness, smtp_peer: SmtpPeer, twilio_peer: tuple[TwilioPeer, str]
) -> None:
    peer, _ = twilio_peer
    now = h.clock.now
    await h.feed(order("1101", opt_sms=True), status("in_transit", now))
    # The window ends while no dispatcher runs (killed, restarting, or busy); the next status
    # is read before any dispatcher runs again.
    h.clock.advance(seconds=h.settings.debounce_seconds + 1)
    await h.feed(status("out_for_delivery", now + timedelta(minutes=1)))
    await h.cycle()
    await h.settle()
    await h.settle(3600)
    mails = await smtp_peer.wait_for(2, seconds=2)
    assert [m["Subject"] for m in mails] == [
        "Your order 1101 has shipped",
        "Your order 1101 is out for delivery",
    ]
    assert len(peer.delivered) == 2
    states = {(r["trigger"], r["channel"]): r["state"] for r in await h.ledger()}
    assert states == {
        ("in_transit", "email"): "sent",
        ("in_transit", "sms"): "sent",
        ("out_for_delivery", "email"): "sent",
        ("out_for_delivery", "sms"): "sent",
    }


async def test_notifier_a_burst_read_within_its_window_still_sends_only_the_latest(
    h: Harness, smtp_peer: SmtpPeer
) -> None:
    now = h.clock.now
    await h.feed(order("1102"), status("in_transit", now))
    h.clock.advance(seconds=h.settings.debounce_seconds - 1)  # the window is still open
    await h.feed(status("out_for_delivery", now + timedelta(minutes=1)))
    await h.settle()
    await h.settle(3600)
    [mail] = await smtp_peer.wait_for(1)
    assert mail["Subject"] == "Your order 1102 is out for delivery"
    assert [r["trigger"] for r in await h.ledger()] == ["out_for_delivery"]


async def claim(h: Harness, conn: asyncpg.Connection) -> None:
    """What a dispatcher does before sending: the due row claimed (attempt, lease), committed."""
    async with conn.transaction():
        [claimed] = await pg_claims.claimable(conn, h.clock(), 10)
        lease = timedelta(seconds=h.settings.lease_seconds)
        await pg_claims.lease(conn, claimed.id, h.clock() + lease, h.clock())


async def test_notifier_message_claimed_by_a_process_that_died_is_sent_at_once(
    h: Harness, smtp_peer: SmtpPeer, session: Callable[[], Awaitable[asyncpg.Connection]]
) -> None:
    now = h.clock.now
    await h.feed(order("1103"), status("out_for_delivery", now))
    h.clock.advance(seconds=h.settings.debounce_seconds + 1)
    await h.core.dispatcher.materialize(h.clock())
    dead = await session()
    await claim(h, dead)
    await dead.close()  # killed before the send completed: its PostgreSQL session ends
    await h.feed(status("delivered", now + timedelta(minutes=1)))
    await h.cycle()  # the claim's lease runs for two more minutes; nobody holds it any more
    await h.settle()
    await h.settle(3600)
    mails = await smtp_peer.wait_for(2, seconds=2)
    assert [m["Subject"] for m in mails] == [
        "Your order 1103 is out for delivery",
        "Your order 1103 has been delivered",
    ]
    states = {r["trigger"]: (r["state"], r["attempts"]) for r in await h.ledger()}
    assert states == {"out_for_delivery": ("sent", 2), "delivered": ("sent", 1)}


async def test_notifier_message_claimed_by_a_live_process_is_left_to_it(
    h: Harness, smtp_peer: SmtpPeer, session: Callable[[], Awaitable[asyncpg.Connection]]
) -> None:
    await h.feed(order("1104"), status("out_for_delivery", h.clock.now))
    h.clock.advance(seconds=h.settings.debounce_seconds + 1)
    await h.core.dispatcher.materialize(h.clock())
    alive = await session()
    await claim(h, alive)
    await h.settle(h.settings.lease_seconds / 2)  # still sending, within its lease
    assert smtp_peer.messages == []
    await alive.close()
    await h.cycle()
    [mail] = await smtp_peer.wait_for(1, seconds=2)
    assert mail["Subject"] == "Your order 1104 is out for delivery"


async def test_notifier_merchant_webhook_claimed_by_a_process_that_died_is_sent_at_once(
    make_settings: Callable[..., NotifierSettings],
    pg_pool: asyncpg.Pool,
    clock: Clock,
    webhook_peer: tuple[WebhookPeer, str],
    session: Callable[[], Awaitable[asyncpg.Connection]],
) -> None:
    peer, base = webhook_peer
    merchant = {"webhook_url": f"{base}/hooks/shop", "webhook_secret": "whsec_crash_test"}
    h = await harness(make_settings(merchant_alerts={"shop": merchant}), pg_pool, clock)
    stalled = alert("stalled", uuid.uuid4(), last_event_at=clock.now - timedelta(days=3))
    await h.feed(order("1105", opt_email=False, opt_sms=False), stalled)
    await h.core.alerts.plan(h.clock())  # the webhook is queued, not sent
    dead = await session()
    async with dead.transaction():  # what a sender does before its POST
        [row] = await pg_merchant.due_webhooks(dead, h.clock(), 10)
        lease = h.clock() + timedelta(seconds=h.settings.lease_seconds)
        webhooks = pg_merchant.CLAIMS["notifier_merchant_webhooks"]
        assert await webhooks.lease_all(dead, [row.id], lease, h.clock()) == {row.id: 1}
    await h.cycle()
    assert peer.requests == []  # a live claimer is left alone
    await dead.close()  # killed before its POST: its PostgreSQL session ends
    await h.cycle()  # the lease runs for two more minutes; nobody holds it any more
    [request] = await peer.wait_for(1, seconds=2)
    assert request.headers["suivi-delivery-id"] == str(stalled.event_id)
    async with pg_pool.acquire() as conn:
        state = await conn.fetchrow(
            "SELECT state, attempts, leased FROM notifier_merchant_webhooks"
        )
    assert tuple(state) == ("sent", 2, False)
    await h.close()
