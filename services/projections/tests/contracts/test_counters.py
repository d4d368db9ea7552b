"""The `Counters` port (lookup limits' store): one contract, run in memory and in PostgreSQL."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest

from suivi_projections.web.ratelimit import Counters, MemoryCounters
from suivi_projections.web.ratelimit_pg import PostgresCounters

K1, K2 = b"\x01" * 32, b"\x02" * 32


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
    def counters(self, pool: asyncpg.Pool) -> Counters:
        return PostgresCounters(pool)

    async def test_concurrent_hits_are_all_counted(self, counters: Counters) -> None:
        await asyncio.gather(*(counters.hit(K1, 600, 1000.0) for _ in range(20)))
        assert await counters.hit(K1, 600, 1000.0, add=0) == (20, 1600.0)
