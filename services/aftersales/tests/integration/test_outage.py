"""PostgreSQL gone mid-request: the shopper's return and claim pages and forms answer a 503 page
in the shopper's language, the merchant API a 503 `unavailable` body, both with Retry-After
(`suivi_infra.http.answer_unavailable`), never a 500."""

from __future__ import annotations

import asyncpg
import httpx
from pydantic import SecretStr

from suivi_aftersales.bootstrap import bootstrap
from suivi_aftersales.db.migrate import migrate
from suivi_aftersales.settings import AftersalesSettings
from suivi_aftersales.testing.harness import ATELIER, KEYS, page_token
from suivi_infra.tcpgate import TcpGate


async def test_pages_and_api_answer_503_with_retry_after_when_postgresql_goes_away(
    pg_gate: tuple[asyncpg.Pool, TcpGate],
) -> None:
    pool, gate = pg_gate
    async with pool.acquire() as conn:
        await migrate(conn)
    settings = AftersalesSettings(metrics_port=0, merchant_keys=SecretStr(KEYS))
    service = await bootstrap(settings, pool=pool)  # not started
    transport = httpx.ASGITransport(app=service.api, client=("203.0.113.9", 50000))
    token = page_token("B-9001")
    base = "http://aftersales.test"
    async with httpx.AsyncClient(transport=transport, base_url=base) as http:
        assert (await http.get(f"/orders/{token}/returns")).status_code == 404  # no such order
        assert (await http.get("/v1/returns", headers=ATELIER)).status_code == 200
        await gate.close()
        german = {"origin": base, "accept-language": "de-DE"}
        pages = [
            await http.get(f"/orders/{token}/returns", headers=german),
            await http.post(f"/orders/{token}/returns", data={"csrf": "x"}, headers=german),
            await http.post(f"/orders/{token}/claims", data={"csrf": "x"}, headers=german),
            await http.get(f"/orders/{token}/claims?lang=it", headers=german),
        ]
        api = await http.get("/v1/returns", headers=ATELIER)
    for answer, words in zip(pages, ["nicht erreichbar"] * 3 + ["non è disponibile"], strict=True):
        assert answer.status_code == 503
        assert answer.headers["content-type"].startswith("text/html")
        assert answer.headers["Retry-After"] == "5"
        assert answer.headers["Cache-Control"] == "no-store"
        assert "Content-Security-Policy" in answer.headers
        assert words in answer.text
    assert api.status_code == 503
    assert api.json()["error"] == "unavailable"
    assert api.headers["Retry-After"] == "5"
