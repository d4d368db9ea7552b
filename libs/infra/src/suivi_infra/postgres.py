"""asyncpg pool creation from the shared settings."""

from __future__ import annotations

from typing import Any

import asyncpg

from suivi_infra.settings import PostgresSettings
from suivi_infra.startup import retry


def pool_options(settings: PostgresSettings, **overrides: Any) -> dict[str, Any]:
    options: dict[str, Any] = {
        "dsn": settings.database_url,
        "min_size": settings.pool_min_size,
        "max_size": settings.pool_max_size,
        "command_timeout": 30,
    }
    options.update(overrides)
    return options


async def create_pool(settings: PostgresSettings, **overrides: Any) -> asyncpg.Pool:
    """A pool with its DATABASE_POOL_MIN connections open: fails when PostgreSQL is away."""
    pool: asyncpg.Pool = await asyncpg.create_pool(**pool_options(settings, **overrides))
    return pool


def lazy_pool(settings: PostgresSettings, **overrides: Any) -> asyncpg.Pool:
    """A pool to `await` that opens no connection before one is used, so a service starts
    while PostgreSQL is away (asyncpg cannot retry a pool whose creation failed); a query fails
    until the server answers. `wait_for_postgres` then opens the DATABASE_POOL_MIN ones."""
    return asyncpg.create_pool(**pool_options(settings, **overrides) | {"min_size": 0})


async def wait_for_postgres(pool: asyncpg.Pool, settings: PostgresSettings) -> None:
    """Returns once PostgreSQL answers through `pool` (retried with back-off), holding the
    configured minimum of open connections."""

    async def warm() -> None:
        connections = []
        try:
            for _ in range(max(1, settings.pool_min_size)):
                connections.append(await pool.acquire())
            await connections[0].fetchval("SELECT 1")
        finally:
            for connection in connections:
                await pool.release(connection)

    await retry("PostgreSQL", warm)
