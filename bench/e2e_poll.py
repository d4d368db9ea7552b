"""The end-to-end benchmark's poller: when each webhook becomes visible in the read model."""

from __future__ import annotations

import asyncio
import itertools
import time

import asyncpg

from bench.e2e_stack import cpu_seconds

CARRIER = "dhl"
POLL = 0.01
PENDING = 400  # numbers asked for per poll, at most
RESOLUTION = 0.05  # a number still missing is asked for again after this share of its age


def cpu_or_none(pid: int) -> float | None:
    try:
        return cpu_seconds(pid)
    except OSError:  # a PostgreSQL backend that ended
        return None


async def poll(url: str, numbers: list[str], start: float, rate: int, seen: dict[str, float],
               until: float) -> float:  # fmt: skip
    """Marks each number's first moment in `shipments`, asking only for those sent already and,
    of those, the PENDING oldest not seen yet: the webhooks become visible about in the order
    sent, and asking for every one not seen (thousands when the pipeline lags) took PostgreSQL
    and this process so much CPU that the measurement itself made the pipeline lag more.
    Returns the CPU seconds its PostgreSQL backend spent: the measurement's, not the pipeline's."""
    conn = await asyncpg.connect(url)
    # While `shipments` is small (the first load after start), planned for each poll with its
    # numbers: PostgreSQL otherwise settles, after five polls, on a generic plan made on the
    # warm-up's 20 rows (the key used for the carrier only, each row compared with all 400
    # numbers) and keeps it as the table grows: 60 ms a poll at 5,000 rows, measured here, the
    # measurement taking a core from the pipeline. Not later: planning each poll costs 2-3x the
    # generic plan's CPU, and a generic plan made on 5,000 rows or more uses the whole key.
    small = await conn.fetchval(
        "SELECT count(*) < $1 FROM (SELECT FROM shipments LIMIT $1) t", 5000
    )
    if small:
        await conn.execute("SET plan_cache_mode = force_custom_plan")
    backend = await conn.fetchval("SELECT pg_backend_pid()")
    oldest = 0  # numbers before it are all seen
    recheck: dict[int, float] = {}  # when to ask again for a number asked for and not seen
    try:
        while time.time() < until and len(seen) < len(numbers):
            now = time.time()
            due = min(len(numbers), int((now - start + 0.2) * rate) + 1)
            while oldest < due and numbers[oldest] in seen:
                oldest += 1
            unseen = (
                i for i in range(oldest, due)
                if numbers[i] not in seen and recheck.get(i, 0.0) <= now
            )  # fmt: skip
            pending = list(itertools.islice(unseen, PENDING))
            if pending:
                rows = await conn.fetch(
                    "SELECT tracking_number FROM shipments"
                    " WHERE carrier = $1 AND tracking_number = ANY($2::text[])",
                    CARRIER, [numbers[i] for i in pending],
                )  # fmt: skip
                now = time.time()
                for r in rows:
                    seen.setdefault(r[0], now)
                # One still missing is asked for again after POLL, or after RESOLUTION of its
                # age if longer: each answer stays within that of its visible time (never
                # early), and a lagging pipeline's backlog is not asked for every 10 ms (that
                # took PostgreSQL up to 28% of a core, the measurement adding to the lag).
                for i in pending:
                    age = now - start - i / rate
                    recheck[i] = now + max(POLL, RESOLUTION * age)
            await asyncio.sleep(POLL)
        return cpu_or_none(backend) or 0.0  # 0 when PostgreSQL runs elsewhere
    finally:
        await conn.close()
