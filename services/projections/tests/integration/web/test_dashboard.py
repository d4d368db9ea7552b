"""The shopper's dashboard on a real PostgreSQL and a real SMTP peer: the sign-in request's
identical answer, the outbox, single-use links, sessions, consent across shops, limits."""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from html import unescape

import asyncpg
import httpx
import pytest

from suivi_notifier.testing.smtp_peer import SmtpPeer
from suivi_projections.db.migrate import migrate
from suivi_projections.query.live import LiveHub
from suivi_projections.testing.browser import asgi_client
from suivi_projections.testing.dashboard import (
    ALICE,
    BOB,
    SHOPS,
    dashboard_app,
    link_in,
    shoppers_orders,
    write_orders,
)
from suivi_projections.web.dashboard.keys import digest
from suivi_projections.web.dashboard.service import Dashboard
from suivi_projections.web.settings import ApiSettings

_CSRF = re.compile(r'name="csrf" value="([^"]+)"')
_NONCE = re.compile(r"nonce(=\"|-)[A-Za-z0-9_-]+")


@dataclass
class Rig:
    client: httpx.AsyncClient
    dashboard: Dashboard
    peer: SmtpPeer
    clock: list[datetime]
    pool: asyncpg.Pool


@pytest.fixture
async def rig(pg_pool: asyncpg.Pool) -> AsyncIterator[Rig]:
    async with pg_pool.acquire() as conn:
        await migrate(conn)
    await write_orders(pg_pool, shoppers_orders())
    peer = SmtpPeer()
    await peer.start()
    clock = [datetime.now(UTC)]
    settings = ApiSettings(merchant_names=SHOPS, public_base_url="http://suivi.test",
                           signin_per_email=3)  # fmt: skip
    app, dashboard = dashboard_app(settings, pg_pool, LiveHub(), peer.port, lambda: clock[0])
    try:
        async with asgi_client(app) as client:
            yield Rig(client, dashboard, peer, clock, pg_pool)
    finally:
        await peer.stop()


async def ask(rig: Rig, email: str, shop: str = "shop-a") -> httpx.Response:
    form = await rig.client.get(f"/lookup/{shop}")
    token = _CSRF.search(form.text)
    assert token is not None, "no sign-in form on the shop's lookup page"
    data = {"merchant_id": shop, "email": email, "csrf": token.group(1), "lang": "en"}
    return await rig.client.post("/me/link", data=data)


async def sign_in(rig: Rig, link: str) -> httpx.Response:
    page = await rig.client.get(link)
    token = _CSRF.search(page.text)
    assert page.status_code == 200 and token is not None, page.text
    data = {"link": link.rsplit("/", 1)[1], "csrf": token.group(1)}
    return await rig.client.post("/me/signin", data=data)


def orders_on(page: str) -> list[str]:
    return re.findall(r'data-order="([^"]+)"', page)


async def test_a_link_for_an_email_with_orders_only_and_the_same_answer_for_anyone(
    rig: Rig, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    known = await ask(rig, "  Alice@Example.COM ")
    unknown = await ask(rig, "nobody@example.com")
    assert known.status_code == unknown.status_code == 200
    assert _NONCE.sub("", known.text) == _NONCE.sub("", unknown.text)  # same page, word for word
    assert "a sign-in link is on its way" in known.text
    # Nothing was decided on the request path: both wait in the outbox.
    assert await rig.pool.fetchval("SELECT count(*) FROM dashboard_outbox") == 2
    assert await rig.dashboard.drain() == 2
    messages = await rig.peer.wait_for(1)
    assert [m["To"] for m in messages] == [ALICE]
    assert "Atelier Comtois" in messages[0]["Subject"]
    link = link_in(messages[0]).removeprefix("http://suivi.test")
    assert await rig.pool.fetchval("SELECT count(*) FROM dashboard_outbox") == 0

    signed = await sign_in(rig, link)
    assert signed.status_code == 303 and signed.headers["location"].startswith("/me")
    cookie = signed.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie
    page = await rig.client.get("/me")
    assert page.status_code == 200
    assert orders_on(page.text) == ["A-103", "A-102", "A-101"]  # newest first, only Alice's
    assert BOB not in page.text and "A-900" not in page.text and "B-7" not in page.text
    assert page.headers["cache-control"] == "no-store"
    assert "noindex" in page.headers["x-robots-tag"]
    assert page.headers["referrer-policy"] == "no-referrer"
    assert "/orders/" in page.text and "/s/" not in page.text  # never a shareable link

    # The link worked once.
    again = await rig.client.get(link)
    assert again.status_code == 410 and "already been used" in again.text
    # Neither the link nor the session id reached a log line.
    session_id = rig.client.cookies.get("suivi_me")
    assert session_id
    logged = "\n".join(  # the service's own log lines (not the test's client and peer)
        r.getMessage() for r in caplog.records if r.name.startswith(("suivi", "uvicorn"))
    )
    assert link.rsplit("/", 1)[1].split(".")[0] not in logged and session_id not in logged
    # The database keeps digests only.
    assert await rig.pool.fetchval(
        "SELECT count(*) FROM dashboard_sessions WHERE session_digest = $1", digest(session_id)
    ) == 1  # fmt: skip


async def test_filters_consent_across_shops_and_sign_out(rig: Rig) -> None:
    await ask(rig, ALICE)
    await rig.dashboard.drain()
    await sign_in(rig, link_in((await rig.peer.wait_for(1))[0]))
    delivered = await rig.client.get("/me?show=delivered")
    assert orders_on(delivered.text) == [] and "No delivered order yet." in delivered.text
    moving = await rig.client.get("/me/fragment?show=in_progress")
    assert orders_on(moving.text) == ["A-103", "A-102", "A-101"]

    # Off by default; on: Alice's order at the other shop joins the list; off again: gone.
    page = await rig.client.get("/me")
    assert "Show orders from every shop" in page.text
    csrf = _CSRF.search(page.text)
    assert csrf is not None
    forged = await rig.client.post("/me/consent", data={"every_shop": "on", "csrf": "x" * 64})
    assert forged.status_code == 403
    on = await rig.client.post("/me/consent", data={"every_shop": "on", "csrf": csrf.group(1)})
    assert on.status_code == 303
    everything = await rig.client.get("/me")
    assert orders_on(everything.text) == ["A-103", "A-102", "A-101", "B-7"]
    assert "Boutique Lumière" in everything.text and "A-900" not in everything.text
    await rig.client.post("/me/consent", data={"every_shop": "off", "csrf": csrf.group(1)})
    assert orders_on((await rig.client.get("/me")).text) == ["A-103", "A-102", "A-101"]

    # Sign-out needs the form's token, ends the session and deletes the cookie.
    assert (await rig.client.post("/me/signout", data={})).status_code == 403
    out = await rig.client.post("/me/signout", data={"csrf": csrf.group(1)})
    assert out.status_code == 200 and "signed out" in out.text
    assert (await rig.client.get("/me")).status_code == 401
    assert (await rig.client.get("/me/fragment")).status_code == 401
    assert (await rig.client.get("/me/events")).status_code == 401


async def test_expired_forged_and_other_email_links_and_forged_cookies(rig: Rig) -> None:
    await ask(rig, ALICE)
    await rig.dashboard.drain()
    link = link_in((await rig.peer.wait_for(1))[0]).removeprefix("http://suivi.test")
    text = link.rsplit("/", 1)[1]
    link_id, expires, signature = text.split(".")
    keys = rig.dashboard.keys

    # Signed for another email (Bob's hash) with Alice's link id: not Alice's link, not Bob's.
    other = keys.new_link("shop-a", keys.email_hash(BOB), int(expires))
    swapped = f"{link_id}.{expires}.{other.split('.')[2]}"
    later = f"{link_id}.{int(expires) + 600}.{signature}"
    unsigned = f"{link_id}.{expires}.{'0' * 64}"
    for bad in (swapped, later, unsigned, "not-a-link"):
        refused = await rig.client.get(f"/me/signin/{bad}")
        assert refused.status_code == 400 and "isn't valid" in unescape(refused.text), bad

    rig.clock[0] += timedelta(minutes=16)  # links live 15 minutes
    expired = await rig.client.get(link)
    assert expired.status_code == 410 and "has expired" in expired.text
    rig.clock[0] -= timedelta(minutes=16)

    # A forged or unknown session cookie opens nothing; a real one after its idle time neither.
    rig.client.cookies.set("suivi_me", "forged-" + "a" * 36)
    assert (await rig.client.get("/me")).status_code == 401
    rig.client.cookies.clear()
    assert (await sign_in(rig, link)).status_code == 303
    assert (await rig.client.get("/me")).status_code == 200
    # Signing in again on this browser ends its previous session (one per browser).
    await ask(rig, ALICE)
    await rig.dashboard.drain()
    fresh = link_in((await rig.peer.wait_for(2))[1]).removeprefix("http://suivi.test")
    assert (await sign_in(rig, fresh)).status_code == 303
    assert await rig.pool.fetchval("SELECT count(*) FROM dashboard_sessions") == 1
    rig.clock[0] += timedelta(minutes=31)
    assert (await rig.client.get("/me")).status_code == 401


async def test_requests_are_limited_per_email_and_need_the_form_token(rig: Rig) -> None:
    no_token = await rig.client.post("/me/link", data={"merchant_id": "shop-a", "email": ALICE})
    assert no_token.status_code == 403
    for _ in range(3):
        assert (await ask(rig, ALICE)).status_code == 200
    refused = await ask(rig, ALICE)
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) > 0
    assert (await ask(rig, "carol@example.com")).status_code == 200  # another email may
    invalid = await ask(rig, "not an email")
    assert invalid.status_code == 400


async def test_a_refused_mail_is_retried_later(rig: Rig) -> None:
    rig.peer.replies.append("451 4.3.0 try again later")
    await ask(rig, ALICE)
    assert await rig.dashboard.drain() == 1
    row = await rig.pool.fetchrow("SELECT attempts, due_at FROM dashboard_outbox")
    assert row is not None and row["attempts"] == 1 and row["due_at"] > rig.clock[0]
    rig.clock[0] += timedelta(minutes=1)
    assert await rig.dashboard.drain() == 1
    assert len(await rig.peer.wait_for(1)) == 1
    assert await rig.pool.fetchval("SELECT count(*) FROM dashboard_outbox") == 0
