"""The transactional outbox of NotificationResult records: written in the same transaction as
the ledger change they report, published to Kafka afterwards, deleted once acknowledged."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import asyncpg

from suivi_schemas import Channel, NotificationResult, Outcome
from suivi_schemas.ids import derived_event_id, shipment_key


def result(
    *,
    merchant_id: str,
    order_number: str,
    carrier: str,
    tracking_number: str,
    trigger: str,
    channel: Channel,
    outcome: Outcome,
    attempts: int,
    now: datetime,
    source_event_id: uuid.UUID,
    error: str | None = None,
) -> NotificationResult:
    """`trigger` is the ledger's: a status, or '<alert kind>:<episode id>' — the result names
    the kind, its event id stays distinct per episode."""
    key = shipment_key(carrier, tracking_number)
    return NotificationResult(
        event_id=derived_event_id("notification", key, trigger, channel.value, outcome.value),
        merchant_id=merchant_id,
        order_number=order_number,
        carrier=carrier,
        tracking_number=tracking_number,
        trigger=trigger.partition(":")[0],
        channel=channel,
        outcome=outcome,
        attempts=attempts,
        occurred_at=now,
        source_event_id=source_event_id,
        error=error,
    )


async def add(
    conn: asyncpg.Connection, results: Sequence[NotificationResult], now: datetime
) -> None:
    if results:
        await conn.executemany(
            "INSERT INTO notifier_outbox (key, payload, created_at) VALUES ($1, $2, $3)",
            [(r.key, r.model_dump_json(), now) for r in results],
        )


@dataclass(frozen=True, slots=True)
class OutboxRecord:
    id: int
    key: str
    payload: str


async def take(conn: asyncpg.Connection, limit: int) -> list[OutboxRecord]:
    """The oldest records, locked (other instances skip them) until the transaction ends."""
    rows = await conn.fetch(
        "SELECT id, key, payload FROM notifier_outbox ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED",
        limit,
    )
    return [OutboxRecord(r["id"], r["key"], r["payload"]) for r in rows]


async def delete(conn: asyncpg.Connection, ids: Sequence[int]) -> None:
    await conn.execute("DELETE FROM notifier_outbox WHERE id = ANY($1::bigint[])", list(ids))
