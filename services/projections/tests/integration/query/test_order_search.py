"""The merchant's order search on PostgreSQL (`POST /v1/merchant/orders/search`, the console's):
by the shopper's email matched trimmed and in lower case, by a tracking number as typed, by
both; keyset pages; another merchant's orders never; nothing to search by is a 400; the
email travels in the body only."""

from __future__ import annotations

from datetime import UTC, datetime

import asyncpg
from prometheus_client import CollectorRegistry
from pydantic import SecretStr

from suivi_projections.db.migrate import migrate
from suivi_projections.query.live import LiveHub
from suivi_projections.query.readmodel import PostgresReadModel
from suivi_projections.testing.browser import asgi_client
from suivi_projections.testing.samples import order_event
from suivi_projections.web.app import create_api
from suivi_projections.web.settings import ApiSettings
from suivi_projections.write.batch import apply_batch

KEYS = SecretStr("shop-a:search-key-a-0000000001,shop-b:search-key-b-0000000001")
A = {"Authorization": "Bearer search-key-a-0000000001"}
B = {"Authorization": "Bearer search-key-b-0000000001"}


def at(day: int) -> datetime:
    return datetime(2026, 5, day, 9, tzinfo=UTC)


async def test_orders_found_by_email_and_tracking_number(pg_pool: asyncpg.Pool) -> None:
    orders = [
        order_event("shop-a", "A-1", placed_at=at(1), email=" Camille@Example.FR ",
                    shipments=[("ups", "1ZSEARCH0000000001", [("li-1", 1)])]),
        order_event("shop-a", "A-2", placed_at=at(2), email="camille@example.fr",
                    shipments=[("laposte", "6ASEARCH00002", [("li-1", 1)])]),
        order_event("shop-a", "A-3", placed_at=at(3), email="someone@example.fr"),
        order_event("shop-b", "B-1", placed_at=at(4), email="camille@example.fr",
                    shipments=[("ups", "1ZSEARCH0000000001", [("li-1", 1)])]),
    ]  # fmt: skip
    async with pg_pool.acquire() as conn:
        await migrate(conn)
        async with conn.transaction():
            await apply_batch(conn, [], orders)
    api = create_api(ApiSettings(merchant_keys=KEYS, merchant_directory=False),
                     PostgresReadModel(pg_pool), LiveHub(), CollectorRegistry())  # fmt: skip
    async with asgi_client(api) as http:

        async def numbers(body: dict[str, object], headers: dict[str, str] = A) -> list[str]:
            answer = await http.post("/v1/merchant/orders/search", json=body, headers=headers)
            assert answer.status_code == 200, answer.text
            assert answer.headers["cache-control"] == "no-store"
            return [o["order_number"] for o in answer.json()["orders"]]

        assert await numbers({"email": "CAMILLE@example.fr "}) == ["A-2", "A-1"]
        assert await numbers({"tracking_number": "1zsearch 0000000001"}) == ["A-1"]
        assert await numbers({"email": "camille@example.fr", "tracking_number": "6ASEARCH00002"}) \
            == ["A-2"]  # fmt: skip
        assert await numbers({"email": "nobody@example.fr"}) == []
        assert await numbers({"email": "camille@example.fr"}, B) == ["B-1"]

        first = await http.post("/v1/merchant/orders/search", headers=A,
                                json={"email": "camille@example.fr", "limit": 1})  # fmt: skip
        cursor = first.json()["next_cursor"]
        assert [o["order_number"] for o in first.json()["orders"]] == ["A-2"] and cursor
        assert await numbers({"email": "camille@example.fr", "cursor": cursor}) == ["A-1"]

        nothing = await http.post("/v1/merchant/orders/search", json={}, headers=A)
        assert nothing.status_code == 400
        stale = await http.post("/v1/merchant/orders/search", headers=A,
                                json={"email": "camille@example.fr", "cursor": "x"})  # fmt: skip
        assert stale.status_code == 400
        anonymous = await http.post("/v1/merchant/orders/search", json={"email": "a@b.c"})
        assert anonymous.status_code == 401
