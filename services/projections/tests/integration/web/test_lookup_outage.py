"""PostgreSQL gone mid-request: the lookup (JSON and the HTML form) answers 503 with Retry-After,
as the shared HTTP edge says (`suivi_infra.http.answer_unavailable`), never a 500."""

from __future__ import annotations

import asyncpg

from suivi_infra.tcpgate import TcpGate
from suivi_projections.query.live import LiveHub
from suivi_projections.query.readmodel import PostgresReadModel
from suivi_projections.testing.browser import asgi_client
from suivi_projections.web.app import create_api
from suivi_projections.web.ratelimit_pg import PostgresCounters
from suivi_projections.web.settings import ApiSettings


async def test_the_lookup_answers_503_with_retry_after_when_postgresql_goes_away(
    pool: asyncpg.Pool, pg_gate: tuple[asyncpg.Pool, TcpGate]
) -> None:
    gated, gate = pg_gate  # on the schema `pool` migrated
    app = create_api(
        ApiSettings(), PostgresReadModel(gated), LiveHub(), counters=PostgresCounters(gated)
    )
    ask = {"merchant_id": "shop-a", "order_number": "1042", "email": "guess@example.org"}
    async with asgi_client(app) as client:
        assert (await client.post("/v1/order-lookup", json=ask)).status_code == 404
        await gate.close()
        answers = [
            await client.post("/v1/order-lookup", json=ask),
            await client.post("/v1/order-lookup", data=ask | {"fixed": "1"}),
        ]
    for answer in answers:
        assert answer.status_code == 503
        assert answer.json()["error"] == "unavailable"
        assert answer.headers["Retry-After"] == "5"
