"""asyncpg pool creation from the shared settings."""

from __future__ import annotations

from typing import Any

import asyncpg

from suivi_infra.settings import PostgresSettings


async def create_pool(settings: PostgresSettings, **overrides: Any) -> asyncpg.Pool:
    options: dict[str, Any] = {
        "dsn": settings.database_url,
        "min_size": settings.pool_min_size,
        "max_size": settings.pool_max_size,
        "command_timeout": 30,
    }
    options.update(overrides)
    pool: asyncpg.Pool = await asyncpg.create_pool(**options)
    return pool
