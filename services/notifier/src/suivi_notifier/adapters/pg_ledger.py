"""The ledger (notifier_deliveries) and the due triggers (notifier_shipments.due_at).

A row per (shipment, trigger, channel) is inserted before anything is sent (state 'pending');
claiming a row for a send bumps `attempts` and moves `next_attempt_at` a lease ahead, in a
committed transaction, before the send; the outcome is recorded after. The claiming session
holds the row (an advisory lock, see `pg_claims`) until then: a process that dies mid-send
loses its sessions, and the row is claimed again at once and sent again (at-least-once at the
protocol edge, the only way a message can be sent twice); a lease that runs out is claimed
again too, unless its session still holds it.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

import asyncpg

from suivi_notifier.domain.planning import Recipient
from suivi_notifier.domain.shipment import Pending
from suivi_schemas import Channel


@dataclass(frozen=True, slots=True)
class DueShipment:
    shipment_key: str
    carrier: str
    tracking_number: str
    pending: Pending


@dataclass(frozen=True, slots=True)
class Delivery:
    id: int
    shipment_key: str
    trigger: str
    channel: Channel
    merchant_id: str
    order_number: str
    carrier: str
    tracking_number: str
    source_event_id: uuid.UUID
    event_occurred_at: datetime
    state: str
    attempts: int
    push_done: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class PushTarget:
    id: int
    endpoint: str
    p256dh: str
    auth: str


_DUE = """
SELECT s.shipment_key, s.carrier, s.tracking_number, s.pending_trigger, s.pending_event_id,
       s.pending_occurred_at, s.due_at
FROM notifier_shipments s
WHERE s.due_at <= $1
  AND EXISTS (SELECT 1 FROM notifier_order_shipments l WHERE l.shipment_key = s.shipment_key)
ORDER BY s.due_at
LIMIT $2
FOR UPDATE OF s SKIP LOCKED
"""
# The same, among given shipments (already locked by the caller's transaction, or waited for:
# a dispatcher materializing one of them commits first, and the row is then no longer due).
_OWED = """
SELECT s.shipment_key, s.carrier, s.tracking_number, s.pending_trigger, s.pending_event_id,
       s.pending_occurred_at, s.due_at
FROM notifier_shipments s
WHERE s.shipment_key = ANY($1::text[]) AND s.due_at <= $2
  AND EXISTS (SELECT 1 FROM notifier_order_shipments l WHERE l.shipment_key = s.shipment_key)
ORDER BY s.shipment_key
FOR UPDATE OF s
"""
_RECIPIENT_COLUMNS = """
    o.merchant_id, o.order_number, o.cancelled, o.email, o.phone, o.name, o.locale, o.timezone,
    o.opt_email, o.opt_sms, o.email_unsubscribed_at IS NOT NULL AS email_unsubscribed,
    o.sms_unsubscribed_at IS NOT NULL AS sms_unsubscribed,
    (SELECT count(*) FROM notifier_push_subscriptions p
      WHERE p.merchant_id = o.merchant_id AND p.order_number = o.order_number) AS push_count
"""
# The order a shipment notifies for: a live link first, then the newest snapshot.
_BY_SHIPMENT = f"""
SELECT {_RECIPIENT_COLUMNS}, l.active
FROM notifier_order_shipments l JOIN notifier_orders o USING (merchant_id, order_number)
WHERE l.shipment_key = $1
ORDER BY (l.active AND NOT o.cancelled) DESC, o.updated_at DESC
LIMIT 1
"""  # noqa: S608 - constants only
_INSERT = """
INSERT INTO notifier_deliveries (
    shipment_key, trigger, channel, merchant_id, order_number, carrier, tracking_number,
    source_event_id, event_occurred_at, state, attempts, next_attempt_at, created_at, updated_at
) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'pending', 0, $10, $10, $10)
ON CONFLICT (shipment_key, trigger, channel) DO NOTHING
RETURNING id
"""
_DELIVERY_COLUMNS = """
id, shipment_key, trigger, channel, merchant_id, order_number, carrier, tracking_number,
source_event_id, event_occurred_at, state, attempts, push_done
"""


def _recipient(row: asyncpg.Record) -> Recipient:
    return Recipient(
        merchant_id=row["merchant_id"],
        order_number=row["order_number"],
        cancelled=row["cancelled"],
        shipment_active=row["active"],
        email=row["email"],
        phone=row["phone"],
        name=row["name"],
        locale=row["locale"],
        timezone=row["timezone"],
        opt_email=row["opt_email"],
        opt_sms=row["opt_sms"],
        email_unsubscribed=row["email_unsubscribed"],
        sms_unsubscribed=row["sms_unsubscribed"],
        push_subscriptions=row["push_count"],
        # (only the dispatcher's query counts an order's parcels; other readers say one)
        parcels=row.get("parcels", 1),
        delivered=row.get("delivered", 0),
        place=row.get("place"),
        items=_items(row.get("items")),
    )


def _items(raw: str | None) -> tuple[tuple[str, int], ...]:
    """The parcel's items as the dispatcher's query reads them (jsonb text)."""
    if not raw:
        return ()
    return tuple((str(i["title"]), int(i["quantity"])) for i in json.loads(raw))


def _delivery(row: asyncpg.Record) -> Delivery:
    return Delivery(
        id=row["id"],
        shipment_key=row["shipment_key"],
        trigger=row["trigger"],
        channel=Channel(row["channel"]),
        merchant_id=row["merchant_id"],
        order_number=row["order_number"],
        carrier=row["carrier"],
        tracking_number=row["tracking_number"],
        source_event_id=row["source_event_id"],
        event_occurred_at=row["event_occurred_at"],
        state=row["state"],
        attempts=row["attempts"],
        push_done=tuple(row["push_done"]),
    )


def _due(r: asyncpg.Record) -> DueShipment:
    return DueShipment(
        r["shipment_key"],
        r["carrier"],
        r["tracking_number"],
        Pending(r["pending_trigger"], r["pending_event_id"], r["pending_occurred_at"], r["due_at"]),
    )


# For the other ledger readers and writers (claims, batch reads, alert messages): the same shapes.
DELIVERY_COLUMNS = _DELIVERY_COLUMNS
as_delivery = _delivery
RECIPIENT_COLUMNS = _RECIPIENT_COLUMNS
as_recipient = _recipient


async def due_shipments(conn: asyncpg.Connection, now: datetime, limit: int) -> list[DueShipment]:
    """Shipments whose pending trigger is due and whose order is known, locked."""
    return [_due(r) for r in await conn.fetch(_DUE, now, limit)]


async def owed_shipments(
    conn: asyncpg.Connection, keys: Iterable[str], now: datetime
) -> list[DueShipment]:
    """Among these shipments, those whose pending trigger is due and whose order is known."""
    return [_due(r) for r in await conn.fetch(_OWED, sorted(set(keys)), now)]


async def recipient_for_shipment(conn: asyncpg.Connection, key: str) -> Recipient | None:
    row = await conn.fetchrow(_BY_SHIPMENT, key)
    return _recipient(row) if row is not None else None


async def insert_delivery(
    conn: asyncpg.Connection,
    shipment_key: str,
    trigger: str,
    channel: Channel,
    recipient: Recipient,
    carrier: str,
    tracking_number: str,
    source_event_id: uuid.UUID,
    occurred_at: datetime,
    now: datetime,
) -> bool:
    """One ledger row, pending from `now`; False when the (shipment, trigger, channel) row
    exists already: a message is never planned twice."""
    created = await conn.fetchval(
        _INSERT, shipment_key, trigger, channel.value, recipient.merchant_id,
        recipient.order_number, carrier, tracking_number, source_event_id, occurred_at, now,
    )  # fmt: skip
    return created is not None


async def remove_push_subscriptions(conn: asyncpg.Connection, ids: Sequence[int]) -> None:
    if ids:
        await conn.execute(
            "DELETE FROM notifier_push_subscriptions WHERE id = ANY($1::bigint[])", list(ids)
        )


async def waiting_retries(conn: asyncpg.Connection) -> dict[str, int]:
    """Pending rows that already failed once or were deferred, per channel."""
    rows = await conn.fetch(
        "SELECT channel, count(*) AS n FROM notifier_deliveries "
        "WHERE state = 'pending' AND (attempts > 0 OR last_error IS NOT NULL) GROUP BY channel"
    )
    return {r["channel"]: r["n"] for r in rows}
