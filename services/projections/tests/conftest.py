"""Fixtures every tier shares: a PostgreSQL pool on a fresh schema with the migrations applied."""

from __future__ import annotations

import asyncpg
import pytest

from suivi_projections.db.migrate import migrate


@pytest.fixture
async def pool(pg_pool: asyncpg.Pool) -> asyncpg.Pool:
    """`pg_pool` (suivi_infra's pytest plugin: a schema of its own) with the tables."""
    async with pg_pool.acquire() as conn:
        await migrate(conn)
    return pg_pool
