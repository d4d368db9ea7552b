"""Claims on ledger rows: which rows a dispatcher may claim for a send, and who holds a claim.

Claiming a row counts the attempt and moves `next_attempt_at` a lease ahead (the row is
`leased`), in the claim's transaction. The claiming session also takes a session-level advisory
lock on the row (key: this schema's namespace, the row id) and keeps it until the outcome is
recorded. PostgreSQL drops the lock when that session ends, however its process ended (kill -9,
a lost node): such an orphaned claim is claimed again at once, not when its lease runs out; a
claim whose session lives is never taken over. No clock, no instance id: it holds with any
number of instances.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import asyncpg

from suivi_notifier.adapters.pg_ledger import DELIVERY_COLUMNS, Delivery, as_delivery

_CLAIMABLE = f"""
SELECT {DELIVERY_COLUMNS} FROM notifier_deliveries
WHERE state = 'pending' AND next_attempt_at <= $1
ORDER BY next_attempt_at
LIMIT $2
FOR UPDATE SKIP LOCKED
"""  # noqa: S608 - constants only
_CLAIM_SPACE = "hashtext('suivi-notifier-claim:' || current_schema())"
_CLAIM_KEY = _CLAIM_SPACE + ", ({id} % 2147483648)::int"
# The rows this session could hold (a held lock is granted again to its own session), leased in
# the same statement; the CTE calls the volatile lock function once per row.
_LEASE = f"""
WITH held AS (
    SELECT id FROM unnest($1::bigint[]) AS id
    WHERE pg_try_advisory_lock({_CLAIM_KEY.format(id="id")}))
UPDATE notifier_deliveries d
SET attempts = d.attempts + 1, next_attempt_at = $2, leased = true, updated_at = $3
FROM held WHERE d.id = held.id
RETURNING d.id, d.attempts
"""  # noqa: S608 - constants only
_UNHOLD = f"""
SELECT pg_advisory_unlock({_CLAIM_KEY.format(id="id")}) FROM unnest($1::bigint[]) AS id
"""  # noqa: S608 - constants only
# Claimed rows whose lease still runs but whose claiming session is gone (the held claims are
# read from pg_locks once, then anti-joined).
_ORPHANED = f"""
SELECT {DELIVERY_COLUMNS} FROM notifier_deliveries
WHERE state = 'pending' AND leased AND next_attempt_at > $1
  AND (id % 2147483648)::int::oid NOT IN (
    SELECT k.objid FROM pg_locks k
    WHERE k.locktype = 'advisory' AND k.granted AND k.objsubid = 2
      AND k.database = (SELECT oid FROM pg_database WHERE datname = current_database())
      AND k.classid = {_CLAIM_SPACE}::oid)
ORDER BY next_attempt_at
LIMIT $2
FOR UPDATE SKIP LOCKED
"""  # noqa: S608 - constants only


async def claimable(conn: asyncpg.Connection, now: datetime, limit: int) -> list[Delivery]:
    """Due rows, then rows claimed by a session that is gone (its lease not run out yet)."""
    due = [as_delivery(r) for r in await conn.fetch(_CLAIMABLE, now, limit)]
    if len(due) < limit:
        due += [as_delivery(r) for r in await conn.fetch(_ORPHANED, now, limit - len(due))]
    return due


async def lease_all(
    conn: asyncpg.Connection, delivery_ids: Sequence[int], until: datetime, now: datetime
) -> dict[int, int]:
    """Counts an attempt on each row and holds it until `until`, and until this session ends or
    `release` is called (taken inside the claim's transaction: no one sees the claim without
    its holder), in one statement; returns {row id: attempt number} of the rows leased, without
    those a live session still holds."""
    if not delivery_ids:
        return {}
    rows = await conn.fetch(_LEASE, list(delivery_ids), until, now)
    return {r["id"]: r["attempts"] for r in rows}


async def lease(
    conn: asyncpg.Connection, delivery_id: int, until: datetime, now: datetime
) -> int | None:
    """`lease_all` of one row: its attempt number, None when a live session still holds it."""
    return (await lease_all(conn, [delivery_id], until, now)).get(delivery_id)


async def release(conn: asyncpg.Connection, delivery_ids: Sequence[int]) -> None:
    """Drops this session's hold on these claims (their outcomes recorded, or abandoned)."""
    if delivery_ids:
        await conn.execute(_UNHOLD, list(delivery_ids))
