"""PostgreSQL gone mid-request: the shopper's return and claim pages and forms answer 503 with
Retry-After (`suivi_infra.http.answer_unavailable`), never a 500."""

from __future__ import annotations

import asyncpg
import httpx

from suivi_aftersales.bootstrap import bootstrap
from suivi_aftersales.db.migrate import migrate
from suivi_aftersales.settings import AftersalesSettings
from suivi_aftersales.testing.harness import page_token
from suivi_infra.tcpgate import TcpGate


async def test_the_shopper_forms_answer_503_with_retry_after_when_postgresql_goes_away(
    pg_gate: tuple[asyncpg.Pool, TcpGate],
) -> None:
    pool, gate = pg_gate
    async with pool.acquire() as conn:
        await migrate(conn)
    service = await bootstrap(AftersalesSettings(metrics_port=0), pool=pool)  # not started
    transport = httpx.ASGITransport(app=service.api, client=("203.0.113.9", 50000))
    token = page_token("B-9001")
    base = "http://aftersales.test"
    async with httpx.AsyncClient(transport=transport, base_url=base) as http:
        assert (await http.get(f"/orders/{token}/returns")).status_code == 404  # no such order
        await gate.close()
        origin = {"origin": base}
        answers = [
            await http.get(f"/orders/{token}/returns"),
            await http.post(f"/orders/{token}/returns", data={"csrf": "x"}, headers=origin),
            await http.post(f"/orders/{token}/claims", data={"csrf": "x"}, headers=origin),
        ]
    for answer in answers:
        assert answer.status_code == 503
        assert answer.json()["error"] == "unavailable"
        assert answer.headers["Retry-After"] == "5"
