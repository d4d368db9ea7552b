"""The dispatcher's batch reads and writes of the ledger: one statement per step for a whole batch
of rows (their recipients, push targets and alerts; their new states), never one per row."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import asyncpg

from suivi_notifier.adapters.pg_ledger import RECIPIENT_COLUMNS, Delivery, PushTarget, as_recipient
from suivi_notifier.domain.planning import Recipient
from suivi_schemas import ShipmentAlert

# As pg_ledger.recipient_for_delivery, for every row of the batch at once.
_RECIPIENTS = f"""
SELECT d.delivery_id, {RECIPIENT_COLUMNS},
       coalesce((SELECT bool_or(l.active) FROM notifier_order_shipments l
                 WHERE l.merchant_id = o.merchant_id AND l.order_number = o.order_number
                   AND l.shipment_key = d.shipment_key), false) AS active
FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[])
     AS d(delivery_id, merchant_id, order_number, shipment_key)
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
    """A ledger row's next state, as `pg_ledger.set_state` writes it."""

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
