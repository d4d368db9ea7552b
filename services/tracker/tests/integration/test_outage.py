"""PostgreSQL gone mid-request: the merchant API answers 503 `unavailable` with Retry-After
(`suivi_infra.http.answer_unavailable`), never a 500."""

from __future__ import annotations

import asyncpg
import httpx
import pytest
from prometheus_client import CollectorRegistry

from suivi_infra.merchant_keys import MerchantKeys
from suivi_infra.tcpgate import TcpGate
from suivi_tracker.api.deps import ApiContext
from suivi_tracker.app import create_api
from suivi_tracker.db.migrate import migrate
from suivi_tracker.domain.sources import Mode
from suivi_tracker.handlers.start import StartTracking
from suivi_tracker.metrics import TrackerMetrics
from suivi_tracker.testing.fakes import FakeSource
from suivi_tracker.testing.harness import SettableClock

pytestmark = pytest.mark.integration
AUTH = {"Authorization": f"Bearer {'a' * 24}"}
UPS = "1Z999AA10123456784"


async def _ready() -> bool:
    return True


async def test_the_api_answers_503_with_retry_after_when_postgresql_goes_away(
    pg_gate: tuple[asyncpg.Pool, TcpGate],
) -> None:
    pool, gate = pg_gate
    async with pool.acquire() as conn:
        await migrate(conn)
    easypost = FakeSource("easypost", Mode.PUSH, frozenset({"ups"}))
    context = ApiContext(
        pool=pool,
        starter=StartTracking([easypost], ("easypost",), {}),
        merchants=MerchantKeys((("shop-a", "a" * 24),)),
        metrics=TrackerMetrics(CollectorRegistry()),
        sources={"easypost": easypost},
        clock=SettableClock(),
    )
    transport = httpx.ASGITransport(app=create_api(context, _ready), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://tracker") as http:
        assert (await http.get("/v1/trackings", headers=AUTH)).status_code == 200
        await gate.close()
        answers = [
            await http.get("/v1/trackings", headers=AUTH),
            await http.get(f"/v1/trackings/ups/{UPS}", headers=AUTH),
            await http.post("/v1/trackings", json={"tracking_number": UPS}, headers=AUTH),
        ]
    for answer in answers:
        assert answer.status_code == 503, answer.text
        assert answer.json()["error"] == "unavailable"
        assert answer.headers["Retry-After"] == "5"
        assert answer.headers["Cache-Control"] == "no-store"
