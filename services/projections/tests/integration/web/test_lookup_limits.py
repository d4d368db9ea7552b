"""Lookup limits in PostgreSQL: two API apps share them, and no email is stored."""

from __future__ import annotations

import asyncpg

from suivi_projections.query.live import LiveHub
from suivi_projections.testing.browser import asgi_client
from suivi_projections.testing.fakes import PII, FakeReadModel, sample_order
from suivi_projections.web.app import create_api
from suivi_projections.web.ratelimit_pg import PostgresCounters
from suivi_projections.web.settings import ApiSettings


async def test_postgres_stores_no_email_and_two_apps_share_the_limits(
    pool: asyncpg.Pool,
) -> None:
    settings = ApiSettings(lookup_per_ip=100)
    order = sample_order()
    apps = [
        create_api(
            settings, FakeReadModel(order), LiveHub(), counters=PostgresCounters(pool),
            clock=lambda: 1000.0,
        )
        for _ in range(2)
    ]  # fmt: skip
    ask = {"merchant_id": "shop-a", "order_number": "1042", "email": "guess@example.org"}
    statuses = []
    for n in range(6):  # 5 per order and email, whichever process answers
        async with asgi_client(apps[n % 2]) as client:
            statuses.append((await client.post("/v1/order-lookup", json=ask)).status_code)
    assert statuses == [404] * 5 + [429]
    async with asgi_client(apps[0]) as client:
        right = await client.post("/v1/order-lookup", json=ask | {"email": PII["email"]})
    assert right.status_code == 200

    keys = [r["key"] for r in await pool.fetch("SELECT key FROM lookup_limits")]
    assert len(keys) == 4  # the client; (order, email) twice; the order
    assert all(len(key) == 32 and b"guess" not in key and b"1042" not in key for key in keys)
