"""Lookup limits: one contract for both counter stores; the limits shared by two API apps."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest
from pydantic import SecretStr

from suivi_projections.db.migrate import migrate
from suivi_projections.query.live import LiveHub
from suivi_projections.testing.browser import asgi_client
from suivi_projections.testing.fakes import PII, FakeReadModel, sample_order
from suivi_projections.web.app import create_api
from suivi_projections.web.ratelimit import Counters, Limit, LookupLimiter, MemoryCounters
from suivi_projections.web.ratelimit_pg import PostgresCounters
from suivi_projections.web.settings import ApiSettings

K1, K2 = b"\x01" * 32, b"\x02" * 32


@pytest.fixture
async def migrated(pg_pool: asyncpg.Pool) -> asyncpg.Pool:
    async with pg_pool.acquire() as conn:
        await migrate(conn)
    return pg_pool


class CountersContract:
    """What every `Counters` store does; a subclass gives the `counters` fixture."""

    async def test_counts_within_a_window_then_starts_a_new_one(self, counters: Counters) -> None:
        assert await counters.hit(K1, 600, 1000.0) == (1, 1600.0)
        assert await counters.hit(K1, 600, 1300.5) == (2, 1600.0)
        assert await counters.hit(K2, 60, 1300.5) == (1, 1360.5)  # keys are independent
        assert await counters.hit(K1, 600, 1600.0) == (1, 2200.0)  # ended: a new window

    async def test_adding_nothing_reads_the_count(self, counters: Counters) -> None:
        assert await counters.hit(K1, 600, 1000.0, add=0) == (0, 1600.0)
        await counters.hit(K1, 600, 1001.0)
        assert await counters.hit(K1, 600, 1002.0, add=0) == (1, 1600.0)

    async def test_prune_forgets_ended_windows_only(self, counters: Counters) -> None:
        await counters.hit(K1, 60, 1000.0)
        await counters.hit(K2, 600, 1000.0)
        assert await counters.prune(1060.0) == 1
        assert await counters.hit(K2, 600, 1061.0) == (2, 1600.0)
        assert await counters.prune(1060.0) == 0


class TestMemoryCounters(CountersContract):
    @pytest.fixture
    def counters(self) -> Counters:
        return MemoryCounters()


@pytest.mark.integration
class TestPostgresCounters(CountersContract):
    @pytest.fixture
    def counters(self, migrated: asyncpg.Pool) -> Counters:
        return PostgresCounters(migrated)

    async def test_concurrent_hits_are_all_counted(self, counters: Counters) -> None:
        await asyncio.gather(*(counters.hit(K1, 600, 1000.0) for _ in range(20)))
        assert await counters.hit(K1, 600, 1000.0, add=0) == (20, 1600.0)


@pytest.mark.integration
async def test_postgres_stores_no_email_and_two_apps_share_the_limits(
    migrated: asyncpg.Pool,
) -> None:
    settings = ApiSettings(lookup_per_ip=100)
    order = sample_order()
    apps = [
        create_api(
            settings, FakeReadModel(order), LiveHub(), counters=PostgresCounters(migrated),
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

    keys = [r["key"] for r in await migrated.fetch("SELECT key FROM lookup_limits")]
    assert len(keys) == 4  # the client; (order, email) twice; the order
    assert all(len(key) == 32 and b"guess" not in key and b"1042" not in key for key in keys)


async def test_the_limiter_prunes_ended_windows_as_it_goes() -> None:
    now = [1000.0]
    counters = MemoryCounters()
    limiter = LookupLimiter(
        counters, SecretStr("k" * 32), per_client=Limit(10, 60), per_order_email=Limit(5, 60),
        emails_per_order=Limit(20, 60), clock=lambda: now[0], prune_every=2,
    )  # fmt: skip
    assert await limiter.check("198.51.100.1", "shop-a", "1042", "a@example.org") is None
    assert len(counters) == 3
    now[0] += 60
    assert await limiter.check("198.51.100.2", "shop-a", "1043", "b@example.org") is None
    assert len(counters) == 3  # the first attempt's three windows ended and were dropped
