"""PostgreSQL side of what merchants hear about alerts: webhook deliveries and email digests
(and the claims and row updates shared with the returns' and claims' webhooks, pg_aftersales).

Both are queues written before anything is sent, claimed as the shopper ledger is (`pg_claims`:
attempt counted and a lease taken in a committed transaction, held by the claiming session's
advisory lock; the send outside it, the outcome after): a crash mid-send resends at once, nothing
is lost. A digest claims its alerts in
the transaction that creates it: each alert is in one digest at most.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

import asyncpg

from suivi_notifier.adapters.pg_claims import Claims
from suivi_schemas import ShipmentAlert

Queue = Literal["notifier_merchant_webhooks", "notifier_digests", "notifier_aftersales_webhooks"]
CLAIMS: dict[Queue, Claims] = {
    "notifier_merchant_webhooks": Claims("notifier_merchant_webhooks", "suivi-notifier-webhook"),
    "notifier_digests": Claims("notifier_digests", "suivi-notifier-digest"),
    # Returns' and claims' webhooks (pg_aftersales): claimed the same way.
    "notifier_aftersales_webhooks": Claims(
        "notifier_aftersales_webhooks", "suivi-notifier-aftersales-webhook"
    ),
}


@dataclass(frozen=True, slots=True)
class WebhookRow:
    id: int
    merchant_id: str
    attempts: int
    alert: ShipmentAlert
    order_numbers: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class DigestRow:
    id: int
    merchant_id: str
    attempts: int
    lines: tuple[tuple[ShipmentAlert, tuple[str, ...]], ...]  # each alert, with its orders


_QUEUE_WEBHOOK = """
INSERT INTO notifier_merchant_webhooks
    (merchant_id, alert_event_id, state, attempts, next_attempt_at, created_at, updated_at)
VALUES ($1, $2, 'pending', 0, $3, $3, $3)
ON CONFLICT (merchant_id, alert_event_id) DO NOTHING
RETURNING id
"""
_QUEUE_ITEM = """
INSERT INTO notifier_digest_items (merchant_id, alert_event_id, added_at) VALUES ($1, $2, $3)
ON CONFLICT (merchant_id, alert_event_id) DO NOTHING
"""
_DUE_WEBHOOKS = """
SELECT w.id, w.merchant_id, w.attempts, a.payload, a.shipment_key
FROM notifier_merchant_webhooks w JOIN notifier_alerts a ON a.event_id = w.alert_event_id
WHERE w.state = 'pending' AND (w.next_attempt_at <= $1 OR w.id = ANY($3::bigint[]))
ORDER BY w.next_attempt_at
LIMIT $2
FOR UPDATE OF w SKIP LOCKED
"""
_DUE_DIGESTS = """
SELECT id, merchant_id, attempts FROM notifier_digests
WHERE state = 'pending' AND (next_attempt_at <= $1 OR id = ANY($3::bigint[]))
ORDER BY next_attempt_at
LIMIT $2
FOR UPDATE SKIP LOCKED
"""
_DIGEST_ALERTS = """
SELECT a.payload, a.shipment_key
FROM notifier_digest_items i JOIN notifier_alerts a ON a.event_id = i.alert_event_id
WHERE i.digest_id = $1
ORDER BY a.detected_at, a.event_id
"""
_ORDERS_OF = """
SELECT shipment_key, array_agg(DISTINCT order_number ORDER BY order_number) AS orders
FROM notifier_order_shipments
WHERE merchant_id = $1 AND shipment_key = ANY($2::text[])
GROUP BY shipment_key
"""
_NEW_DIGEST = """
INSERT INTO notifier_digests (merchant_id, period_start, items, state, attempts,
                              next_attempt_at, created_at, updated_at)
VALUES ($1, $2, 0, 'pending', 0, $3, $3, $3)
ON CONFLICT (merchant_id, period_start) DO NOTHING
RETURNING id
"""
_CLAIM_ITEMS = """
UPDATE notifier_digest_items SET digest_id = $1
WHERE merchant_id = $2 AND digest_id IS NULL AND added_at < $3
RETURNING alert_event_id
"""


async def queue_webhook(
    conn: asyncpg.Connection, merchant_id: str, event_id: uuid.UUID, now: datetime
) -> bool:
    return await conn.fetchval(_QUEUE_WEBHOOK, merchant_id, event_id, now) is not None


async def queue_digest_item(
    conn: asyncpg.Connection, merchant_id: str, event_id: uuid.UUID, now: datetime
) -> None:
    await conn.execute(_QUEUE_ITEM, merchant_id, event_id, now)


async def _orders_of(
    conn: asyncpg.Connection, merchant_id: str, keys: Sequence[str]
) -> dict[str, tuple[str, ...]]:
    rows = await conn.fetch(_ORDERS_OF, merchant_id, sorted(set(keys)))
    return {r["shipment_key"]: tuple(r["orders"]) for r in rows}


async def _orphaned(conn: asyncpg.Connection, table: Queue, now: datetime, limit: int) -> list[int]:
    return [r["id"] for r in await CLAIMS[table].orphaned(conn, now, limit)]


async def due_webhooks(conn: asyncpg.Connection, now: datetime, limit: int) -> list[WebhookRow]:
    """Due webhooks, and those claimed by a session that is gone (locked)."""
    orphans = await _orphaned(conn, "notifier_merchant_webhooks", now, limit)
    out = []
    for r in await conn.fetch(_DUE_WEBHOOKS, now, limit + len(orphans), orphans):
        orders = await _orders_of(conn, r["merchant_id"], [r["shipment_key"]])
        alert = ShipmentAlert.model_validate_json(r["payload"])
        out.append(
            WebhookRow(r["id"], r["merchant_id"], r["attempts"], alert, orders.get(alert.key, ()))
        )
    return out


async def waiting_digests(conn: asyncpg.Connection) -> dict[str, datetime]:
    """Merchants with alerts waiting for a digest, and when the oldest was added."""
    rows = await conn.fetch(
        "SELECT merchant_id, min(added_at) AS oldest FROM notifier_digest_items "
        "WHERE digest_id IS NULL GROUP BY merchant_id"
    )
    return {r["merchant_id"]: r["oldest"] for r in rows}


async def create_digest(
    conn: asyncpg.Connection, merchant_id: str, period_start: datetime, now: datetime
) -> int:
    """The merchant's digest of the period that began at `period_start`, claiming every alert
    added before it; 0 when there is nothing to claim or the period has its digest already
    (another instance: the unique key serialises them)."""
    digest_id = await conn.fetchval(_NEW_DIGEST, merchant_id, period_start, now)
    if digest_id is None:
        return 0
    claimed = await conn.fetch(_CLAIM_ITEMS, digest_id, merchant_id, period_start)
    if not claimed:
        await conn.execute("DELETE FROM notifier_digests WHERE id = $1", digest_id)
        return 0
    await conn.execute(
        "UPDATE notifier_digests SET items = $2 WHERE id = $1", digest_id, len(claimed)
    )
    return len(claimed)


async def due_digests(conn: asyncpg.Connection, now: datetime, limit: int) -> list[DigestRow]:
    """Due digests, and those claimed by a session that is gone (locked)."""
    orphans = await _orphaned(conn, "notifier_digests", now, limit)
    out = []
    for r in await conn.fetch(_DUE_DIGESTS, now, limit + len(orphans), orphans):
        alerts = [
            ShipmentAlert.model_validate_json(a["payload"])
            for a in await conn.fetch(_DIGEST_ALERTS, r["id"])
        ]
        orders = await _orders_of(conn, r["merchant_id"], [a.key for a in alerts])
        lines = tuple((a, orders.get(a.key, ())) for a in alerts)
        out.append(DigestRow(r["id"], r["merchant_id"], r["attempts"], lines))
    return out


# Shared by both queues; `table` is one of two constants (Queue), never input.
async def current(conn: asyncpg.Connection, table: Queue, row_id: int) -> tuple[str, int] | None:
    row = await conn.fetchrow(
        f"SELECT state, attempts FROM {table} WHERE id = $1 FOR UPDATE",  # noqa: S608
        row_id,
    )
    return (row["state"], row["attempts"]) if row is not None else None


async def set_state(
    conn: asyncpg.Connection,
    table: Queue,
    row_id: int,
    state: str,
    now: datetime,
    *,
    next_attempt_at: datetime | None = None,
    error: str | None = None,
) -> None:
    await conn.execute(
        f"UPDATE {table} SET state = $2, next_attempt_at = $3, leased = false, "  # noqa: S608
        "last_error = coalesce($4, last_error), updated_at = $5, "
        "sent_at = CASE WHEN $2 = 'sent' THEN $5 ELSE sent_at END WHERE id = $1",
        row_id,
        state,
        next_attempt_at,
        error,
        now,
    )
