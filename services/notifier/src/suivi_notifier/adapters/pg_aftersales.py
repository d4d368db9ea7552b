"""PostgreSQL side of returns and claims: consumed events (notifier_aftersales_events), their
planning, the ledger rows of their shopper messages, and their merchant webhooks
(notifier_aftersales_webhooks, claimed like the other merchant queues: `pg_claims`).

Intake stores events (and queues webhooks) in the consumed batch's transaction; the after-sales
worker plans them later (`FOR UPDATE SKIP LOCKED`: several instances share the work), each once.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import asyncpg

from suivi_notifier.adapters import pg_ledger
from suivi_notifier.adapters.pg_ledger import RECIPIENT_COLUMNS, as_recipient
from suivi_notifier.adapters.pg_merchant import CLAIMS
from suivi_notifier.domain.aftersales import RETURN, AftersalesEvent, Change, change_of
from suivi_notifier.domain.planning import Recipient
from suivi_schemas import Channel
from suivi_schemas.claims import ClaimEvent
from suivi_schemas.returns import ReturnEvent

WEBHOOKS = CLAIMS["notifier_aftersales_webhooks"]

_STORE = """
INSERT INTO notifier_aftersales_events (event_id, stream, subject, merchant_id, order_number,
                                        occurred_at, step, payload, received_at)
SELECT t.*, $9::timestamptz
FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[],
            $7::int[], $8::text[])
    AS t(event_id, stream, subject, merchant_id, order_number, occurred_at, step, payload)
ON CONFLICT (event_id) DO NOTHING
RETURNING event_id
"""
# Events to plan: those whose order is known, and those past the horizon (planned without it:
# the shopper is not told any more). In journey order within each return or claim.
_UNPLANNED = """
SELECT e.stream, e.payload FROM notifier_aftersales_events e
WHERE e.planned_at IS NULL
  AND (e.occurred_at < $2 OR EXISTS (
      SELECT 1 FROM notifier_orders o
      WHERE o.merchant_id = e.merchant_id AND o.order_number = e.order_number))
ORDER BY e.subject, e.occurred_at, e.step, e.event_id
LIMIT $1
FOR UPDATE OF e SKIP LOCKED
"""
_LATEST = """
SELECT DISTINCT ON (subject) subject, occurred_at, step FROM notifier_aftersales_events
WHERE subject = ANY($1::text[]) AND planned_at IS NOT NULL
ORDER BY subject, occurred_at DESC, step DESC
"""
_LOCK = """
SELECT pg_advisory_xact_lock(hashtext('suivi-notifier-aftersales:' || s))
FROM unnest($1::text[]) AS s ORDER BY s
"""
_MARK = """
UPDATE notifier_aftersales_events e SET planned_at = $3, outcome = t.outcome
FROM unnest($1::uuid[], $2::text[]) AS t(event_id, outcome)
WHERE e.event_id = t.event_id
"""
_RECIPIENTS = f"""
SELECT {RECIPIENT_COLUMNS}, true AS active
FROM notifier_orders o
JOIN unnest($1::text[], $2::text[]) AS k(merchant_id, order_number)
  ON o.merchant_id = k.merchant_id AND o.order_number = k.order_number
"""  # noqa: S608 - constants only
_QUEUE = """
INSERT INTO notifier_aftersales_webhooks
    (merchant_id, event_id, state, attempts, next_attempt_at, created_at, updated_at)
SELECT t.merchant_id, t.event_id, 'pending', 0, $3, $3, $3
FROM unnest($1::text[], $2::uuid[]) AS t(merchant_id, event_id)
ON CONFLICT (merchant_id, event_id) DO NOTHING
RETURNING id
"""
_DUE_WEBHOOKS = """
SELECT w.id, w.merchant_id, w.attempts, e.stream, e.payload
FROM notifier_aftersales_webhooks w JOIN notifier_aftersales_events e USING (event_id)
WHERE w.state = 'pending' AND (w.next_attempt_at <= $1 OR w.id = ANY($3::bigint[]))
ORDER BY w.next_attempt_at
LIMIT $2
FOR UPDATE OF w SKIP LOCKED
"""


@dataclass(frozen=True, slots=True)
class AftersalesWebhookRow:
    id: int
    merchant_id: str
    attempts: int
    event: AftersalesEvent


def parse(stream: str, payload: str) -> AftersalesEvent:
    model = ReturnEvent if stream == RETURN else ClaimEvent
    return model.model_validate_json(payload)


async def store(
    conn: asyncpg.Connection, events: Sequence[AftersalesEvent], now: datetime
) -> list[AftersalesEvent]:
    """Keeps each event once (by its deterministic id); returns those that were new."""
    events = list({e.event_id: e for e in events}.values())  # a batch may hold one twice
    if not events:
        return []
    changes = [change_of(e) for e in events]
    rows = await conn.fetch(
        _STORE,
        [c.event_id for c in changes],
        [c.stream for c in changes],
        [c.subject for c in changes],
        [c.merchant_id for c in changes],
        [c.order_number for c in changes],
        [c.occurred_at for c in changes],
        [c.step for c in changes],
        [e.model_dump_json() for e in events],
        now,
    )
    new = {r["event_id"] for r in rows}
    return [e for e in events if e.event_id in new]


async def unplanned(
    conn: asyncpg.Connection, horizon: datetime, limit: int
) -> list[AftersalesEvent]:
    """Events to plan now, in journey order, locked until the transaction ends."""
    return [parse(r["stream"], r["payload"]) for r in await conn.fetch(_UNPLANNED, limit, horizon)]


async def latest(
    conn: asyncpg.Connection, subjects: Sequence[str]
) -> dict[str, tuple[datetime, int]]:
    """The furthest planned step of each return or claim, each held until the transaction ends:
    another instance planning a later event of the same one waits, then sees this plan."""
    keys = sorted(set(subjects))  # locked in one order: no deadlock between instances
    await conn.execute(_LOCK, keys)
    rows = await conn.fetch(_LATEST, keys)
    return {r["subject"]: (r["occurred_at"], r["step"]) for r in rows}


async def mark_planned(
    conn: asyncpg.Connection, outcomes: Sequence[tuple[uuid.UUID, str]], now: datetime
) -> None:
    if outcomes:
        await conn.execute(_MARK, [i for i, _ in outcomes], [o for _, o in outcomes], now)


async def recipients(
    conn: asyncpg.Connection, orders: Sequence[tuple[str, str]]
) -> dict[tuple[str, str], Recipient]:
    """The shopper of each (merchant, order) the notifier knows."""
    if not orders:
        return {}
    keys = sorted(set(orders))
    rows = await conn.fetch(_RECIPIENTS, [m for m, _ in keys], [o for _, o in keys])
    return {(r["merchant_id"], r["order_number"]): as_recipient(r) for r in rows}


async def create_delivery(
    conn: asyncpg.Connection, change: Change, recipient: Recipient, channel: Channel, now: datetime
) -> bool:
    """The ledger row of one message: its key is the return or claim, its 'carrier' the
    stream and its 'tracking number' the RMA or claim number (what its results carry)."""
    assert change.shopper is not None
    return await pg_ledger.insert_delivery(
        conn, change.subject, change.shopper, channel, recipient, change.stream, change.number,
        change.event_id, change.occurred_at, now,
    )  # fmt: skip


async def events(
    conn: asyncpg.Connection, ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, AftersalesEvent]:
    if not ids:
        return {}
    rows = await conn.fetch(
        "SELECT event_id, stream, payload FROM notifier_aftersales_events "
        "WHERE event_id = ANY($1::uuid[])",
        sorted(set(ids)),
    )
    return {r["event_id"]: parse(r["stream"], r["payload"]) for r in rows}


async def queue_webhooks(
    conn: asyncpg.Connection, queued: Sequence[tuple[str, uuid.UUID]], now: datetime
) -> int:
    if not queued:
        return 0
    rows = await conn.fetch(_QUEUE, [m for m, _ in queued], [e for _, e in queued], now)
    return len(rows)


async def due_webhooks(
    conn: asyncpg.Connection, now: datetime, limit: int
) -> list[AftersalesWebhookRow]:
    """Due webhooks, and those claimed by a session that is gone (locked)."""
    orphans = [r["id"] for r in await WEBHOOKS.orphaned(conn, now, limit)]
    rows = await conn.fetch(_DUE_WEBHOOKS, now, limit + len(orphans), orphans)
    return [
        AftersalesWebhookRow(
            r["id"], r["merchant_id"], r["attempts"], parse(r["stream"], r["payload"])
        )
        for r in rows
    ]
