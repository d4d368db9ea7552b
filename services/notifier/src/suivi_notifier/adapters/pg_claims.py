"""Claims on queued rows: which rows a worker may claim for a send, and who holds a claim.

Claiming a row counts the attempt and moves `next_attempt_at` a lease ahead (the row is
`leased`), in the claim's transaction. The claiming session also takes a session-level advisory
lock on the row (key: the queue's namespace in this schema, the row id) and keeps it until the
outcome is recorded. PostgreSQL drops the lock when that session ends, however its process ended
(kill -9, a lost node): such an orphaned claim is claimed again at once, not when its lease runs
out; a claim whose session lives is never taken over. No clock, no instance id: it holds with any
number of instances. One `Claims` per queue: the shopper ledger (`DELIVERIES`), the merchant
webhooks and digests (`pg_merchant`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

import asyncpg

from suivi_notifier.adapters.pg_ledger import DELIVERY_COLUMNS, Delivery, as_delivery


@dataclass(frozen=True)
class Claims:
    """The claim statements of one queue table (`table`, `space` and `columns` are constants
    of this package, never input)."""

    table: str
    space: str  # the advisory lock namespace, hashed with the schema's name
    columns: str = "id"
    _sql: dict[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        space = f"hashtext('{self.space}:' || current_schema())"
        key = space + ", ({id} % 2147483648)::int"
        sql = {
            # The rows this session could hold (a lock it holds is granted to it again), leased
            # in the same statement; the CTE calls the volatile lock function once per row.
            "lease": f"""
WITH held AS (
    SELECT id FROM unnest($1::bigint[]) AS id WHERE pg_try_advisory_lock({key.format(id="id")}))
UPDATE {self.table} q
SET attempts = q.attempts + 1, next_attempt_at = $2, leased = true, updated_at = $3
FROM held WHERE q.id = held.id
RETURNING q.id, q.attempts
""",  # noqa: S608 - constants only
            "release": f"""
SELECT pg_advisory_unlock({key.format(id="id")}) FROM unnest($1::bigint[]) AS id
""",  # noqa: S608 - constants only
            # Claimed rows whose lease still runs but whose claiming session is gone (the held
            # claims are read from pg_locks once, then anti-joined).
            "orphaned": f"""
SELECT {self.columns} FROM {self.table}
WHERE state = 'pending' AND leased AND next_attempt_at > $1
  AND (id % 2147483648)::int::oid NOT IN (
    SELECT k.objid FROM pg_locks k
    WHERE k.locktype = 'advisory' AND k.granted AND k.objsubid = 2
      AND k.database = (SELECT oid FROM pg_database WHERE datname = current_database())
      AND k.classid = {space}::oid)
ORDER BY next_attempt_at
LIMIT $2
FOR UPDATE SKIP LOCKED
""",  # noqa: S608 - constants only
        }
        object.__setattr__(self, "_sql", sql)

    async def orphaned(
        self, conn: asyncpg.Connection, now: datetime, limit: int
    ) -> list[asyncpg.Record]:
        """Rows claimed by a session that is gone, their lease not run out yet (locked)."""
        if limit <= 0:
            return []
        rows: list[asyncpg.Record] = await conn.fetch(self._sql["orphaned"], now, limit)
        return rows

    async def lease_all(
        self, conn: asyncpg.Connection, ids: Sequence[int], until: datetime, now: datetime
    ) -> dict[int, int]:
        """Counts an attempt on each row and holds it until `until`, and until this session
        ends or `release` is called (taken inside the claim's transaction: no one sees the claim
        without its holder), in one statement; returns {row id: attempt number} of the rows
        leased, without those a live session still holds."""
        if not ids:
            return {}
        rows = await conn.fetch(self._sql["lease"], list(ids), until, now)
        return {r["id"]: r["attempts"] for r in rows}

    async def release(self, conn: asyncpg.Connection, ids: Sequence[int]) -> None:
        """Drops this session's hold on these claims (their outcomes recorded, or abandoned)."""
        if ids:
            await conn.execute(self._sql["release"], list(ids))


# The ledger's namespace predates the other queues': kept, so instances of both versions agree.
DELIVERIES = Claims("notifier_deliveries", "suivi-notifier-claim", DELIVERY_COLUMNS)
_CLAIMABLE = f"""
SELECT {DELIVERY_COLUMNS} FROM notifier_deliveries
WHERE state = 'pending' AND next_attempt_at <= $1
ORDER BY next_attempt_at
LIMIT $2
FOR UPDATE SKIP LOCKED
"""  # noqa: S608 - constants only


async def claimable(conn: asyncpg.Connection, now: datetime, limit: int) -> list[Delivery]:
    """Due rows, then rows claimed by a session that is gone (its lease not run out yet)."""
    due = [as_delivery(r) for r in await conn.fetch(_CLAIMABLE, now, limit)]
    return due + [as_delivery(r) for r in await DELIVERIES.orphaned(conn, now, limit - len(due))]


async def lease_all(
    conn: asyncpg.Connection, delivery_ids: Sequence[int], until: datetime, now: datetime
) -> dict[int, int]:
    return await DELIVERIES.lease_all(conn, delivery_ids, until, now)


async def lease(
    conn: asyncpg.Connection, delivery_id: int, until: datetime, now: datetime
) -> int | None:
    """`lease_all` of one row: its attempt number, None when a live session still holds it."""
    return (await DELIVERIES.lease_all(conn, [delivery_id], until, now)).get(delivery_id)


async def release(conn: asyncpg.Connection, delivery_ids: Sequence[int]) -> None:
    await DELIVERIES.release(conn, delivery_ids)
