"""The console's pass-throughs to real peers, called with its own key for the merchant: the
projections' analytics page (on PostgreSQL) served behind the session with the page's own CSP,
its range passed on, a 503 page when the projections are away; the tracker's API (on
PostgreSQL) listed by state and carrier, and its trackings fixed from the console's form
(a postal code for needs_info, a carrier correction for carrier_uncertain), with CSRF and
another merchant's attempt refused."""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import httpx
import pytest
from prometheus_client import CollectorRegistry
from pydantic import SecretStr

from suivi_console.adapters import pg_merchants as pgm
from suivi_console.bootstrap import ConsoleService
from suivi_console.testing.desk import console_client
from suivi_console.testing.harness import Clock, form_value, onboard, sign_in
from suivi_infra.browser import serve
from suivi_infra.merchant_keys import MerchantKeys
from suivi_projections.db.migrate import migrate as migrate_projections
from suivi_projections.query.analytics import PostgresAnalytics
from suivi_projections.query.live import LiveHub
from suivi_projections.query.readmodel import PostgresReadModel
from suivi_projections.web.app import create_api as projections_api
from suivi_projections.web.settings import ApiSettings
from suivi_tracker.api.deps import ApiContext
from suivi_tracker.app import create_api as tracker_api
from suivi_tracker.db.migrate import migrate as migrate_tracker
from suivi_tracker.domain.sources import Mode
from suivi_tracker.handlers.start import StartTracking
from suivi_tracker.metrics import TrackerMetrics
from suivi_tracker.testing.fakes import FakeSource
from suivi_tracker.testing.harness import SettableClock

AMBIGUOUS = "9261292700768711948021"  # usps 0.65, fedex 0.35: carrier_uncertain


@pytest.fixture
async def owners(
    service: ConsoleService, clock: Clock
) -> AsyncIterator[tuple[httpx.AsyncClient, httpx.AsyncClient, str]]:
    """atelier's and northwind's owners signed in, and atelier's console key."""
    await onboard(service, "atelier", "owner@atelier.test")
    await onboard(service, "northwind", "owner@northwind.test")
    async with service.pool.acquire() as conn:
        key = await pgm.internal_key(conn, "atelier")
    assert key is not None
    async with console_client(service) as a, console_client(service) as b:
        await sign_in(a, "owner@atelier.test", clock)
        await sign_in(b, "owner@northwind.test", clock)
        yield a, b, key


async def test_the_analytics_page_is_the_projections_page_behind_the_session(
    service: ConsoleService, pg_pool: asyncpg.Pool,
    owners: tuple[httpx.AsyncClient, httpx.AsyncClient, str],
) -> None:  # fmt: skip
    a, _, key = owners
    async with pg_pool.acquire() as conn:
        await migrate_projections(conn)
    settings = ApiSettings(merchant_keys=SecretStr(f"atelier:{key}"), merchant_directory=False,
                           api_metrics_port=0)  # fmt: skip
    api = projections_api(settings, PostgresReadModel(pg_pool), LiveHub(),
                          CollectorRegistry(), analytics=PostgresAnalytics(pg_pool))  # fmt: skip
    async with serve(api) as url:
        service.context.settings.projections_base_url = url
        page = await a.get("/analytics", params={"from": "2026-11-01", "to": "2026-11-30"})
        assert page.status_code == 200, page.text
        assert page.headers["content-type"].startswith("text/html")
        assert "2026-11-01" in page.text and "2026-11-30" in page.text  # the range passed on
        assert "nonce-" in page.headers["content-security-policy"]  # the page's own CSP
        assert page.headers["x-frame-options"] == "DENY"
        assert key not in page.text  # the key stays in the console
        backwards = await a.get("/analytics", params={"from": "2026-11-30", "to": "2026-11-01"})
        assert backwards.status_code == 400  # the projections' refusal, passed on
    async with console_client(service) as anonymous:
        assert (await anonymous.get("/analytics")).headers["location"] == "/signin"
    service.context.settings.projections_base_url = "http://127.0.0.1:9"  # nothing listens
    away = await a.get("/analytics")
    assert away.status_code == 503 and "cannot be loaded" in away.text


async def test_trackings_by_state_and_carrier_fixed_from_the_form(
    service: ConsoleService, pg_pool: asyncpg.Pool,
    owners: tuple[httpx.AsyncClient, httpx.AsyncClient, str],
) -> None:  # fmt: skip
    a, b, key = owners
    async with pg_pool.acquire() as conn:
        await migrate_tracker(conn)
    sources = [
        FakeSource("laposte", Mode.POLL, frozenset({"laposte"}), requires=("postal_code",)),
        FakeSource("easypost", Mode.PUSH, frozenset({"ups", "usps", "fedex"})),
    ]
    context = ApiContext(
        pool=pg_pool, starter=StartTracking(sources, ("easypost",), {}),
        merchants=MerchantKeys((("atelier", key),)), metrics=TrackerMetrics(CollectorRegistry()),
        sources={s.name: s for s in sources}, clock=SettableClock(),
    )  # fmt: skip

    async def ready() -> bool:
        return True

    auth = {"Authorization": f"Bearer {key}"}
    async with serve(tracker_api(context, ready)) as url, httpx.AsyncClient(base_url=url) as http:
        service.context.settings.tracker_base_url = url
        for body in ({"tracking_number": "6A12345678901", "carrier": "La Poste"},
                     {"tracking_number": AMBIGUOUS, "order_number": "7"}):  # fmt: skip
            assert (await http.post("/v1/trackings", json=body, headers=auth)).status_code == 201

        needs = await a.get("/trackings", params={"state": "needs_info"})
        assert "6A12345678901" in needs.text and AMBIGUOUS not in needs.text
        uncertain = await a.get("/trackings", params={"state": "carrier_uncertain",
                                                      "carrier": "USPS"})  # fmt: skip
        assert AMBIGUOUS in uncertain.text
        other = await a.get("/trackings", params={"state": "carrier_uncertain", "carrier": "dhl"})
        assert AMBIGUOUS not in other.text
        assert "6A12345678901" not in (await b.get("/trackings")).text  # another merchant's

        csrf = form_value(needs.text, "csrf")
        postal = {"carrier": "laposte", "tracking_number": "6A12345678901",
                  "postal_code": "75001", "country": "FR"}  # fmt: skip
        assert (await a.post("/trackings/fix", data=postal)).status_code == 403  # no token
        b_csrf = form_value((await b.get("/trackings")).text, "csrf")
        refused = await b.post("/trackings/fix", data={"csrf": b_csrf, **postal})
        assert refused.status_code == 400 and "refused" in refused.text
        fixed = await a.post("/trackings/fix", data={"csrf": csrf, **postal})
        assert fixed.status_code == 200 and "The tracking is updated." in fixed.text
        read = await http.get("/v1/trackings/laposte/6A12345678901", headers=auth)
        assert (read.json()["state"], read.json()["needs"]) == ("pending", [])

        corrected = await a.post("/trackings/fix", data={
            "csrf": csrf, "carrier": "usps", "tracking_number": AMBIGUOUS, "new_carrier": "fedex",
        })  # fmt: skip
        assert corrected.status_code == 200
        moved = await http.get(f"/v1/trackings/fedex/{AMBIGUOUS}", headers=auth)
        assert moved.status_code == 200 and moved.json()["orders"][0]["order_number"] == "7"
        bad = await a.post("/trackings/fix", data={
            "csrf": csrf, "carrier": "fedex", "tracking_number": AMBIGUOUS, "country": "FRA",
        })  # fmt: skip
        assert bad.status_code == 400
