"""The console's order search against the projections' merchant API on PostgreSQL: by the
shopper's email (typed in any case, posted by the form, never in a URL: checked in Chromium on
every request the page made), by a tracking number, by order number; the list in keyset pages;
another merchant finds nothing; a search without the form's token is refused."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import asyncpg
import httpx
import pytest
from prometheus_client import CollectorRegistry
from pydantic import SecretStr

from suivi_console.adapters import pg_merchants as pgm
from suivi_console.bootstrap import ConsoleService
from suivi_console.testing.desk import console_client
from suivi_console.testing.harness import Clock, form_value, onboard, sign_in
from suivi_console.web.cookies import session_name
from suivi_infra.browser import chromium, needs_chromium, serve
from suivi_projections.db.migrate import migrate
from suivi_projections.query.live import LiveHub
from suivi_projections.query.readmodel import PostgresReadModel
from suivi_projections.testing.samples import order_event
from suivi_projections.web.app import create_api
from suivi_projections.web.settings import ApiSettings
from suivi_projections.write.batch import apply_batch

EMAIL = "camille.martin@example.fr"


def at(day: int) -> datetime:
    return datetime(2026, 6, day, 9, tzinfo=UTC)


@pytest.fixture
async def owners(
    service: ConsoleService, pg_pool: asyncpg.Pool, clock: Clock
) -> AsyncIterator[tuple[httpx.AsyncClient, httpx.AsyncClient]]:
    """Two merchants' owners signed in, their orders in the projections served over HTTP."""
    keys = []
    for merchant in ("atelier", "northwind"):
        await onboard(service, merchant, f"owner@{merchant}.test")
        async with service.pool.acquire() as conn:
            keys.append(f"{merchant}:{await pgm.internal_key(conn, merchant)}")
    orders = [  # atelier: 60 orders, three of them Camille's; northwind: one of hers
        order_event("atelier", f"AT-{n:03}", placed_at=at(1 + n % 28),
                    email=EMAIL if n in (5, 17, 41) else f"shopper{n}@example.fr",
                    shipments=[("laposte", f"6A{n:011}", [("li-1", 1)])])
        for n in range(60)
    ] + [order_event("northwind", "NW-1", placed_at=at(2), email=EMAIL)]  # fmt: skip
    async with pg_pool.acquire() as conn:
        await migrate(conn)
        async with conn.transaction():
            await apply_batch(conn, [], orders)
    settings = ApiSettings(merchant_keys=SecretStr(",".join(keys)), merchant_directory=False)
    api = create_api(settings, PostgresReadModel(pg_pool), LiveHub(), CollectorRegistry())
    async with serve(api) as url, console_client(service) as a, console_client(service) as b:
        service.context.settings.projections_base_url = url
        await sign_in(a, "owner@atelier.test", clock)
        await sign_in(b, "owner@northwind.test", clock)
        yield a, b


async def test_search_by_email_tracking_number_and_number(
    owners: tuple[httpx.AsyncClient, httpx.AsyncClient],
) -> None:
    a, b = owners
    listed = await a.get("/orders")
    csrf = form_value(listed.text, "csrf")
    assert listed.text.count('class="mono">AT-') == 50 and 'id="next"' in listed.text
    rest = await a.get("/orders?cursor=" + listed.text.split("cursor=")[1].split('"')[0])
    assert rest.text.count('class="mono">AT-') == 10  # keyset: the other ten, no repeat

    found = await a.post("/orders/search", data={"csrf": csrf, "q": " Camille.Martin@EXAMPLE.fr"})
    assert found.status_code == 200
    assert [n for n in ("AT-005", "AT-017", "AT-041") if n in found.text] == [
        "AT-005", "AT-017", "AT-041"
    ]  # fmt: skip
    assert found.text.count('class="mono">AT-') == 3 and "NW-1" not in found.text
    theirs = await b.post("/orders/search",
                          data={"csrf": form_value((await b.get("/orders")).text, "csrf"),
                                "q": EMAIL})  # fmt: skip
    assert "NW-1" in theirs.text and "AT-" not in theirs.text
    assert (await a.post("/orders/search", data={"q": EMAIL})).status_code == 403
    by_url = await a.get("/orders", params={"q": EMAIL})  # an email is never searched by URL
    assert by_url.text.count('class="mono">AT-') == 50 and EMAIL not in by_url.text

    by_parcel = await a.post("/orders/search", data={"csrf": csrf, "q": "6a00000000017"})
    assert by_parcel.status_code == 303 and "@" not in by_parcel.headers["location"]
    page = await a.get(by_parcel.headers["location"])
    assert page.text.count('class="mono">AT-') == 1 and "AT-017" in page.text
    by_number = await a.get("/orders", params={"q": "AT-041"})
    assert by_number.text.count('class="mono">AT-') == 1 and "AT-041" in by_number.text


@needs_chromium
async def test_email_search_in_chromium_puts_the_email_in_no_url(
    service: ConsoleService, owners: tuple[httpx.AsyncClient, httpx.AsyncClient]
) -> None:
    name = session_name(False)
    async with serve(service.app) as base, chromium() as browser:
        context = await browser.new_context(viewport={"width": 390, "height": 844})
        await context.add_cookies([{"name": name, "value": owners[0].cookies[name],
                                    "url": base}])  # fmt: skip
        page = await context.new_page()
        visited: list[str] = []
        page.on("request", lambda r: visited.append(r.url))
        await page.goto(f"{base}/orders")
        await page.fill("#q", "Camille.Martin@example.fr")
        await page.click("#search button[type=submit]")
        await page.wait_for_selector("#orders td:has-text('AT-017')")
        assert await page.locator("#orders td.mono").count() == 3
        assert not [u for u in visited if "camille" in u.lower() or "%40" in u or "@" in u]
        await page.goto(f"{base}/orders/search?lang=fr")  # a reload or language switch
        assert page.url.endswith("/orders")
