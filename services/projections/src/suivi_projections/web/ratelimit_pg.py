"""The lookup limits' counters in PostgreSQL (`lookup_limits`), shared by every API process."""

from __future__ import annotations

from datetime import UTC, datetime

import asyncpg

# One statement, atomic under concurrency: the row lock of ON CONFLICT serialises the
# processes hitting the same key; an ended window restarts at this attempt.
_HIT = """
INSERT INTO lookup_limits AS l (key, hits, ends_at)
VALUES ($1::bytea, $4::integer, $2::timestamptz + make_interval(secs => $3::float8))
ON CONFLICT (key) DO UPDATE SET
    hits = CASE WHEN l.ends_at <= $2 THEN $4 ELSE l.hits + $4 END,
    ends_at = CASE WHEN l.ends_at <= $2 THEN EXCLUDED.ends_at ELSE l.ends_at END
RETURNING hits, ends_at
"""
_PRUNE = "DELETE FROM lookup_limits WHERE ends_at <= $1"


class PostgresCounters:
    """`Counters` over the API's pool (made in its lifespan)."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def hit(self, key: bytes, seconds: float, now: float, add: int = 1) -> tuple[int, float]:
        hits, ends_at = await self.pool.fetchrow(_HIT, key, _instant(now), seconds, add)
        return int(hits), float(ends_at.timestamp())

    async def prune(self, now: float) -> int:
        status = await self.pool.execute(_PRUNE, _instant(now))
        return int(status.split()[-1])


def _instant(now: float) -> datetime:
    return datetime.fromtimestamp(now, UTC)
