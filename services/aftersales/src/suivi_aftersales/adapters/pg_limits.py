"""Rate limits of the shopper's form submissions (per page token, per client address), as
fixed-window counters in PostgreSQL shared by every process: one atomic statement per hit."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

import asyncpg

# The row lock of ON CONFLICT serialises concurrent hits on one key; an ended window restarts.
_HIT = """
INSERT INTO aftersales_limits AS l (key, hits, ends_at)
VALUES ($1, 1, $2::timestamptz + $3::interval)
ON CONFLICT (key) DO UPDATE SET
    hits = CASE WHEN l.ends_at <= $2 THEN 1 ELSE l.hits + 1 END,
    ends_at = CASE WHEN l.ends_at <= $2 THEN excluded.ends_at ELSE l.ends_at END
RETURNING hits, ends_at
"""


@dataclass(frozen=True, slots=True)
class Limit:
    name: str
    hits: int
    window: timedelta


async def over_limit(
    pool: asyncpg.Pool, limits: list[tuple[Limit, str]], now: datetime
) -> int | None:
    """Counts one hit on each (limit, subject); the seconds to wait when one is exceeded."""
    wait: int | None = None
    for limit, subject in limits:
        key = hashlib.sha256(f"{limit.name}\x1f{subject}".encode()).digest()
        hits, ends_at = await pool.fetchrow(_HIT, key, now, limit.window)
        if hits > limit.hits:
            seconds = max(1, int((ends_at - now).total_seconds()) + 1)
            wait = max(wait or 0, seconds)
    return wait
