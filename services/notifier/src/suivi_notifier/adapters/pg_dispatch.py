"""The dispatcher's batch reads and writes of the ledger: one statement per step for a whole batch
of rows (due shipments' recipients and new rows; claimed rows' recipients, push targets and
alerts; their new states), never one per row."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import asyncpg

from suivi_notifier.adapters.pg_ledger import (
    DELIVERY_COLUMNS,
    RECIPIENT_COLUMNS,
    Delivery,
    DueShipment,
    PushTarget,
    as_delivery,
    as_recipient,
)
from suivi_notifier.domain.planning import Recipient
from suivi_schemas import Channel, ShipmentAlert

# Each claimed row's order, and whether it still holds the row's shipment.
# parcels: the order's active parcels; delivered: those delivered no later than this row's event
# (ties by key), so the deliveries of a 3-parcel order read "1 of 3", "2 of 3", "3 of 3" in turn.
_RECIPIENTS = f"""
SELECT d.delivery_id, {RECIPIENT_COLUMNS},
       coalesce((SELECT bool_or(l.active) FROM notifier_order_shipments l
                 WHERE l.merchant_id = o.merchant_id AND l.order_number = o.order_number
                   AND l.shipment_key = d.shipment_key), false) AS active,
       (SELECT count(*) FROM notifier_order_shipments l
         WHERE l.merchant_id = o.merchant_id AND l.order_number = o.order_number
           AND l.active) AS parcels,
       (SELECT count(*) FROM notifier_order_shipments l
         JOIN notifier_shipments s ON s.shipment_key = l.shipment_key
         WHERE l.merchant_id = o.merchant_id AND l.order_number = o.order_number AND l.active
           AND 'delivered' = ANY(s.reached)
           AND (s.latest_occurred_at, s.shipment_key) <= (d.occurred_at, d.shipment_key))
           AS delivered,
       (SELECT s.latest_place FROM notifier_shipments s WHERE s.shipment_key = d.shipment_key)
           AS place,
       (SELECT l.items FROM notifier_order_shipments l
         WHERE l.merchant_id = o.merchant_id AND l.order_number = o.order_number
           AND l.shipment_key = d.shipment_key) AS items
FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::timestamptz[])
     AS d(delivery_id, merchant_id, order_number, shipment_key, occurred_at)
JOIN notifier_orders o ON o.merchant_id = d.merchant_id AND o.order_number = d.order_number
"""  # noqa: S608 - constants only
_PUSH_TARGETS = """
SELECT d.delivery_id, p.id, p.endpoint, p.p256dh, p.auth
FROM unnest($1::bigint[], $2::text[], $3::text[]) AS d(delivery_id, merchant_id, order_number)
JOIN notifier_push_subscriptions p
  ON p.merchant_id = d.merchant_id AND p.order_number = d.order_number
ORDER BY d.delivery_id, p.id
"""
_STATES = """
SELECT id, state, attempts FROM notifier_deliveries WHERE id = ANY($1::bigint[])
ORDER BY id FOR UPDATE
"""
# One UPDATE for the batch; push_done gains the subscriptions each row reached (given as
# (delivery id, subscription id) pairs: arrays of different lengths do not unnest as rows).
_SAVE = """
WITH s AS (
    SELECT * FROM unnest($1::bigint[], $2::text[], $3::timestamptz[], $4::text[], $5::text[])
         AS s(id, state, next_attempt_at, error, provider_id)),
done AS (
    SELECT id, array_agg(sub) AS subs FROM unnest($6::bigint[], $7::bigint[]) AS x(id, sub)
    GROUP BY id)
UPDATE notifier_deliveries d
SET state = s.state, next_attempt_at = s.next_attempt_at,
    last_error = coalesce(s.error, d.last_error), leased = false,
    provider_id = coalesce(s.provider_id, d.provider_id), updated_at = $8,
    sent_at = CASE WHEN s.state = 'sent' THEN $8 ELSE d.sent_at END,
    push_done = (SELECT coalesce(array_agg(DISTINCT x), '{}')
                 FROM unnest(d.push_done || coalesce(done.subs, '{}')) AS x)
FROM s LEFT JOIN done ON done.id = s.id
WHERE d.id = s.id
"""


@dataclass(frozen=True, slots=True)
class NewState:
    """A ledger row's next state (its claim ends: `leased` false)."""

    id: int
    state: str
    next_attempt_at: datetime | None = None
    error: str | None = None
    provider_id: str | None = None
    push_done: tuple[int, ...] = ()


async def recipients(conn: asyncpg.Connection, rows: Sequence[Delivery]) -> dict[int, Recipient]:
    """Each row's recipient (by delivery id); a row whose order is gone has none."""
    if not rows:
        return {}
    found = await conn.fetch(
        _RECIPIENTS,
        [d.id for d in rows],
        [d.merchant_id for d in rows],
        [d.order_number for d in rows],
        [d.shipment_key for d in rows],
        [d.event_occurred_at for d in rows],
    )
    return {r["delivery_id"]: as_recipient(r) for r in found}


async def push_targets(
    conn: asyncpg.Connection, rows: Sequence[Delivery]
) -> dict[int, tuple[PushTarget, ...]]:
    """Each push row's subscriptions not reached yet (by delivery id)."""
    if not rows:
        return {}
    found = await conn.fetch(
        _PUSH_TARGETS,
        [d.id for d in rows],
        [d.merchant_id for d in rows],
        [d.order_number for d in rows],
    )
    done = {d.id: set(d.push_done) for d in rows}
    out: dict[int, list[PushTarget]] = {}
    for r in found:
        if r["id"] not in done[r["delivery_id"]]:
            target = PushTarget(r["id"], r["endpoint"], r["p256dh"], r["auth"])
            out.setdefault(r["delivery_id"], []).append(target)
    return {k: tuple(v) for k, v in out.items()}


async def alerts(
    conn: asyncpg.Connection, event_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, ShipmentAlert]:
    """The alerts these rows tell of (an alert message's source event)."""
    if not event_ids:
        return {}
    found = await conn.fetch(
        "SELECT event_id, payload FROM notifier_alerts WHERE event_id = ANY($1::uuid[])",
        sorted(set(event_ids)),
    )
    return {r["event_id"]: ShipmentAlert.model_validate_json(r["payload"]) for r in found}


async def states(conn: asyncpg.Connection, ids: Sequence[int]) -> dict[int, tuple[str, int]]:
    """(state, attempts) of these rows, locked until the transaction ends."""
    found = await conn.fetch(_STATES, sorted(set(ids)))
    return {r["id"]: (r["state"], r["attempts"]) for r in found}


async def save(conn: asyncpg.Connection, changes: Sequence[NewState], now: datetime) -> None:
    """Writes every row's new state in one statement."""
    if not changes:
        return
    pairs = [(c.id, sub) for c in changes for sub in c.push_done]
    await conn.execute(
        _SAVE,
        [c.id for c in changes],
        [c.state for c in changes],
        [c.next_attempt_at for c in changes],
        [c.error for c in changes],
        [c.provider_id for c in changes],
        [p[0] for p in pairs],
        [p[1] for p in pairs],
        now,
    )


# The materializer's step, for a batch of due shipments, one statement each. The order a
# shipment notifies for: a live link first, then the newest snapshot.
_BY_SHIPMENTS = f"""
SELECT DISTINCT ON (l.shipment_key) l.shipment_key, {RECIPIENT_COLUMNS}, l.active
FROM notifier_order_shipments l JOIN notifier_orders o USING (merchant_id, order_number)
WHERE l.shipment_key = ANY($1::text[])
ORDER BY l.shipment_key, (l.active AND NOT o.cancelled) DESC, o.updated_at DESC
"""  # noqa: S608 - constants only
_INSERT = """
INSERT INTO notifier_deliveries (
    shipment_key, trigger, channel, merchant_id, order_number, carrier, tracking_number,
    source_event_id, event_occurred_at, state, attempts, next_attempt_at, created_at, updated_at)
SELECT n.shipment_key, n.trigger, n.channel, n.merchant_id, n.order_number, n.carrier,
       n.tracking_number, n.source_event_id, n.occurred_at, 'pending', 0, $10, $10, $10
FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
            $8::uuid[], $9::timestamptz[]) WITH ORDINALITY
     AS n(shipment_key, trigger, channel, merchant_id, order_number, carrier, tracking_number,
          source_event_id, occurred_at, i)
ORDER BY n.i
ON CONFLICT (shipment_key, trigger, channel) DO NOTHING
"""
# Only a waiting row is superseded: one held back by a failed attempt or deferred to the
# morning (last_error says why). A row merely queued, or claimed by a process that may have
# died mid-send, is owed and sent: superseding it would make a crash cost the shopper a message.
_SUPERSEDE = f"""
UPDATE notifier_deliveries d
SET state = 'superseded', next_attempt_at = NULL, updated_at = $5
FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[])
     AS n(shipment_key, channel, trigger, occurred_at)
WHERE d.shipment_key = n.shipment_key AND d.channel = n.channel AND d.trigger <> n.trigger
  AND d.state = 'pending' AND d.last_error IS NOT NULL AND d.event_occurred_at <= n.occurred_at
RETURNING {", ".join("d." + c.strip() for c in DELIVERY_COLUMNS.split(","))}
"""  # noqa: S608 - constants only
_CLEAR = """
UPDATE notifier_shipments
SET pending_trigger = NULL, pending_event_id = NULL, pending_occurred_at = NULL, due_at = NULL,
    updated_at = $2
WHERE shipment_key = ANY($1::text[])
"""


@dataclass(frozen=True, slots=True)
class NewDelivery:
    """A ledger row to write: the due shipment's pending trigger, on one channel."""

    due: DueShipment
    recipient: Recipient
    channel: Channel


async def recipients_for_shipments(
    conn: asyncpg.Connection, keys: Sequence[str]
) -> dict[str, Recipient]:
    """The order each shipment notifies for: a live link first, then the newest snapshot."""
    if not keys:
        return {}
    found = await conn.fetch(_BY_SHIPMENTS, sorted(set(keys)))
    return {r["shipment_key"]: as_recipient(r) for r in found}


async def create_deliveries(
    conn: asyncpg.Connection, rows: Sequence[NewDelivery], now: datetime
) -> list[Delivery]:
    """Inserts the ledger rows (those that exist already stay: never twice); returns the older
    waiting rows of the same shipments and channels they supersede."""
    if not rows:
        return []
    await conn.execute(
        _INSERT,
        [r.due.shipment_key for r in rows],
        [r.due.pending.trigger for r in rows],
        [r.channel.value for r in rows],
        [r.recipient.merchant_id for r in rows],
        [r.recipient.order_number for r in rows],
        [r.due.carrier for r in rows],
        [r.due.tracking_number for r in rows],
        [r.due.pending.event_id for r in rows],
        [r.due.pending.occurred_at for r in rows],
        now,
    )
    superseded = await conn.fetch(
        _SUPERSEDE,
        [r.due.shipment_key for r in rows],
        [r.channel.value for r in rows],
        [r.due.pending.trigger for r in rows],
        [r.due.pending.occurred_at for r in rows],
        now,
    )
    return [as_delivery(r) for r in superseded]


async def clear_pending(conn: asyncpg.Connection, keys: Sequence[str], now: datetime) -> None:
    if keys:
        await conn.execute(_CLEAR, list(keys), now)
