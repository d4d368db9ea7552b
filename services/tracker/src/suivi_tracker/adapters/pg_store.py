"""The trackings in PostgreSQL: create-or-link, claim due work, record outcomes.

Claims are safe with any number of scheduler instances: due rows are taken with
`FOR UPDATE SKIP LOCKED` through the partial index on `next_due_at` (never a full scan), and in
the same statement get a lease (a fresh `lease_token`, `next_due_at` moved to the lease's end).
An instance killed mid-round loses nothing: its rows become due again when the lease ends. A
late finish after the lease was taken over is refused (token mismatch), so a tracking's outcome
is recorded once per claim.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import asyncpg

from suivi_tracker.db.rows import COLUMNS, tracking_of
from suivi_tracker.domain.decide import Change
from suivi_tracker.domain.model import Tracking

_CLAIM = f"""
WITH due AS (
    SELECT id FROM trackings
    WHERE next_due_at <= $1
    ORDER BY next_due_at
    LIMIT $2
    FOR UPDATE SKIP LOCKED
)
UPDATE trackings t
SET next_due_at = $1 + make_interval(secs => $3), lease_token = gen_random_uuid()
FROM due WHERE t.id = due.id
RETURNING {", ".join("t." + c.strip() for c in COLUMNS.split(","))}
"""  # noqa: S608 - constant column list

_LOCK_CLAIMED = (
    f"SELECT {COLUMNS} FROM trackings WHERE id = ANY($1::bigint[]) ORDER BY id FOR UPDATE"  # noqa: S608
)

# One statement for a whole round's outcomes; `needs` travels as a comma-joined string (an
# array of arrays would be flattened by unnest), field names never hold a comma.
_FINISH_MANY = """
UPDATE trackings t SET
    state = u.state, next_due_at = u.due, failures = u.failures, body_hash = u.body_hash,
    source_ref = coalesce(u.source_ref, t.source_ref),
    needs = string_to_array(u.needs, ','), last_error = u.error,
    last_success_at = CASE WHEN u.success THEN $11 ELSE t.last_success_at END,
    last_poll_at = CASE WHEN u.polled THEN $11 ELSE t.last_poll_at END,
    polls = t.polls + CASE WHEN u.polled THEN 1 ELSE 0 END,
    lease_token = NULL, updated_at = $11
FROM unnest($1::bigint[], $2::text[], $3::timestamptz[], $4::int[], $5::text[], $6::text[],
            $7::text[], $8::text[], $9::bool[], $10::bool[])
    AS u(id, state, due, failures, body_hash, source_ref, needs, error, success, polled)
WHERE t.id = u.id
"""


@dataclass(frozen=True, slots=True)
class Claimed:
    tracking: Tracking
    token: uuid.UUID


@dataclass(frozen=True, slots=True)
class NewTracking:
    carrier: str
    tracking_number: str
    state: str
    source: str | None
    mode: str | None
    candidates: Sequence[dict[str, Any]]
    needs: Sequence[str]
    postal_code: str | None
    country: str | None
    ship_date: date | None
    next_due_at: datetime | None


@dataclass(frozen=True, slots=True)
class Link:
    merchant_id: str
    order_number: str = ""
    title: str | None = None


async def claim(
    conn: asyncpg.Connection, now: datetime, limit: int, lease_seconds: float
) -> list[Claimed]:
    async with conn.transaction():
        # A claim lost in a database crash only makes its rows due again (their lease gone):
        # nothing to wait for the WAL flush for, and it was most of a claim's time.
        await conn.execute("SET LOCAL synchronous_commit = off")
        rows = await conn.fetch(_CLAIM, now, limit, lease_seconds)
    return [Claimed(tracking_of(r), r["lease_token"]) for r in rows]


async def finish_many(
    pool: asyncpg.Pool,
    outcomes: Sequence[tuple[Claimed, Callable[[Tracking], Change], bool]],
    now: datetime,
) -> list[Change | None]:
    """Records a round's outcomes (claim, decision, polled?) in one transaction, each decided
    on its row as it is now (a status event may have arrived meanwhile). None for a claim whose
    lease was lost (expired and taken over): nothing is written for it."""
    if not outcomes:
        return []
    async with pool.acquire() as conn, conn.transaction():
        ids = [claimed.tracking.id for claimed, _, _ in outcomes]
        rows = {r["id"]: r for r in await conn.fetch(_LOCK_CLAIMED, ids)}
        results: list[Change | None] = []
        columns: list[list[Any]] = [[] for _ in range(10)]
        for claimed, decide, polled in outcomes:
            row = rows.get(claimed.tracking.id)
            if row is None or row["lease_token"] != claimed.token:
                results.append(None)
                continue
            change = decide(tracking_of(row))
            results.append(change)
            values = (
                claimed.tracking.id, change.state.value, change.next_due_at, change.failures,
                change.body_hash, change.source_ref, ",".join(change.needs), change.error,
                change.success, polled,
            )  # fmt: skip
            for column, value in zip(columns, values, strict=True):
                column.append(value)
        if columns[0]:
            await conn.execute(_FINISH_MANY, *columns, now)
        return results


async def create_or_link(
    conn: asyncpg.Connection, new: NewTracking, link: Link | None, now: datetime
) -> tuple[asyncpg.Record, bool]:
    """The tracking of (carrier, number), created if new, linked to the merchant's order; and
    whether this call created it. Destination details fill what the existing row lacks."""
    row = await conn.fetchrow(
        f"""
        INSERT INTO trackings (carrier, tracking_number, state, source, mode, candidates, needs,
            postal_code, country, ship_date, next_due_at, created_at, updated_at)
        VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8, $9, $10, $11, $12, $12)
        ON CONFLICT (carrier, tracking_number) DO NOTHING
        RETURNING {COLUMNS}
        """,  # noqa: S608
        new.carrier, new.tracking_number, new.state, new.source, new.mode,
        json.dumps(list(new.candidates)), list(new.needs), new.postal_code, new.country,
        new.ship_date, new.next_due_at, now,
    )  # fmt: skip
    created = row is not None
    if row is None:
        row = await conn.fetchrow(
            f"""
            UPDATE trackings SET postal_code = coalesce(postal_code, $3),
                country = coalesce(country, $4), ship_date = coalesce(ship_date, $5)
            WHERE carrier = $1 AND tracking_number = $2
            RETURNING {COLUMNS}
            """,  # noqa: S608
            new.carrier, new.tracking_number, new.postal_code, new.country, new.ship_date,
        )  # fmt: skip
        assert row is not None  # rows are never deleted
    if link is not None:
        await conn.execute(
            """
            INSERT INTO tracking_links (tracking_id, merchant_id, order_number, title, created_at)
            VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING
            """,
            row["id"], link.merchant_id, link.order_number, link.title, now,
        )  # fmt: skip
    return row, created


async def load(
    conn: asyncpg.Connection, carrier: str, number: str, merchant_id: str | None = None
) -> asyncpg.Record | None:
    """The tracking, or None; with `merchant_id`, only if that merchant follows it."""
    return await conn.fetchrow(
        f"""
        SELECT {COLUMNS} FROM trackings t WHERE carrier = $1 AND tracking_number = $2
        AND ($3::text IS NULL OR EXISTS (
            SELECT 1 FROM tracking_links l WHERE l.tracking_id = t.id AND l.merchant_id = $3))
        """,  # noqa: S608
        carrier, number, merchant_id,
    )  # fmt: skip


async def links(conn: asyncpg.Connection, tracking_id: int, merchant_id: str) -> list[Link]:
    rows = await conn.fetch(
        "SELECT order_number, title FROM tracking_links WHERE tracking_id = $1 "
        "AND merchant_id = $2 ORDER BY order_number",
        tracking_id,
        merchant_id,
    )
    return [Link(merchant_id, r["order_number"], r["title"]) for r in rows]


async def page(
    conn: asyncpg.Connection, merchant_id: str, state: str | None, after: int, limit: int
) -> list[asyncpg.Record]:
    """One page of the merchant's trackings, by id (keyset: `after` is the last id seen)."""
    rows: list[asyncpg.Record] = await conn.fetch(
        f"""
        SELECT {COLUMNS} FROM trackings t
        WHERE t.id IN (SELECT tracking_id FROM tracking_links
                       WHERE merchant_id = $1 AND tracking_id > $3)
          AND ($2::text IS NULL OR t.state = $2)
        ORDER BY t.id LIMIT $4
        """,  # noqa: S608
        merchant_id, state, after, limit,
    )  # fmt: skip
    return rows


async def counts(conn: asyncpg.Connection) -> list[asyncpg.Record]:
    """Trackings by (state, source), for the gauge."""
    rows: list[asyncpg.Record] = await conn.fetch(
        "SELECT state, coalesce(source, '') AS source, count(*) AS n "
        "FROM trackings GROUP BY state, source"
    )
    return rows


async def set_state(
    conn: asyncpg.Connection,
    tracking_id: int,
    state: str,
    next_due_at: datetime | None,
    *,
    needs: Sequence[str] = (),
) -> asyncpg.Record | None:
    """A merchant's correction or stop: a new state and due time, failures forgotten. A lease
    in flight is left to finish (its outcome is then refused, the token being cleared)."""
    return await conn.fetchrow(
        f"""
        UPDATE trackings SET state = $2, next_due_at = $3, needs = $4, failures = 0,
            lease_token = NULL, last_error = NULL, updated_at = now()
        WHERE id = $1 RETURNING {COLUMNS}
        """,  # noqa: S608
        tracking_id, state, next_due_at, list(needs),
    )  # fmt: skip


async def restart(
    conn: asyncpg.Connection, tracking_id: int, new: NewTracking, now: datetime
) -> asyncpg.Record | None:
    """A stopped tracking followed again, routed afresh (its old registration was removed)."""
    return await conn.fetchrow(
        f"""
        UPDATE trackings SET state = $2, source = $3, mode = $4, source_ref = NULL, needs = $5,
            next_due_at = $6, failures = 0, last_error = NULL, lease_token = NULL, updated_at = $7
        WHERE id = $1 RETURNING {COLUMNS}
        """,  # noqa: S608
        tracking_id, new.state, new.source, new.mode, list(new.needs), new.next_due_at, now,
    )  # fmt: skip
