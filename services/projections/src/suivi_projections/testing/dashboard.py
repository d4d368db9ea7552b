"""Test support for the shopper's dashboard: the API on a real PostgreSQL with its dashboard,
orders for a few shoppers, and the sign-in link read back from a mail."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta
from email.message import EmailMessage

import asyncpg
from fastapi import FastAPI

from suivi_infra.mail import SmtpConfig, SmtpMailer
from suivi_projections.query.live import LiveHub
from suivi_projections.query.readmodel import PostgresReadModel
from suivi_projections.testing.samples import T0, order_event
from suivi_projections.web.app import create_api
from suivi_projections.web.dashboard.compose import build_dashboard
from suivi_projections.web.dashboard.routes import install_dashboard
from suivi_projections.web.dashboard.service import Dashboard
from suivi_projections.web.ratelimit_pg import PostgresCounters
from suivi_projections.web.settings import ApiSettings
from suivi_projections.web.shops import StaticShops
from suivi_projections.write.batch import apply_batch
from suivi_schemas import OrderEvent

SHOPS = {"shop-a": "Atelier Comtois", "shop-b": "Boutique Lumière"}
ALICE, BOB = "alice@example.com", "bob@example.com"
_LINK = re.compile(r"https?://\S+/me/signin/\S+")


def dashboard_app(
    settings: ApiSettings, pool: asyncpg.Pool, hub: LiveHub, smtp_port: int,
    clock: Callable[[], datetime],
) -> tuple[FastAPI, Dashboard]:  # fmt: skip
    """The API as bootstrap composes it, on `pool`, mailing to 127.0.0.1:`smtp_port`."""
    counters = PostgresCounters(pool)
    app = create_api(settings, PostgresReadModel(pool), hub, counters=counters)
    mailer = SmtpMailer(SmtpConfig("127.0.0.1", smtp_port, "orders@suivi.test", timeout=5))
    shops = StaticShops(settings.merchant_names)
    dashboard = build_dashboard(settings, pool, shops, counters, mailer=mailer, clock=clock)
    install_dashboard(app, dashboard)
    return app, dashboard


def shoppers_orders() -> list[OrderEvent]:
    """Alice: three orders at shop-a (one parcel each) and one at shop-b; Bob: one at shop-a."""
    orders = [
        order_event(
            "shop-a",
            f"A-10{n}",
            placed_at=T0 + timedelta(days=n),
            email=ALICE.upper(),
            shipments=[("ups", f"1ZALICE{n}", [("li-1", 1)])],
        )
        for n in (1, 2, 3)
    ]
    orders.append(order_event("shop-b", "B-7", email=ALICE, shipments=[("dhl", "JJALICE7", [])]))
    orders.append(order_event("shop-a", "A-900", email=BOB, shipments=[("ups", "1ZBOB", [])]))
    return orders


async def write_orders(pool: asyncpg.Pool, orders: list[OrderEvent]) -> None:
    async with pool.acquire() as conn, conn.transaction():
        await apply_batch(conn, [], orders)


def link_in(message: EmailMessage) -> str:
    """The sign-in link of a mail (its path and query, as a browser would open it)."""
    body = message.get_body(("plain",))
    assert body is not None
    found = _LINK.search(body.get_content())
    assert found is not None, "no sign-in link in the mail"
    return found.group(0)
