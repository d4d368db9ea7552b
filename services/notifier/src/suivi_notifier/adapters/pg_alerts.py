"""PostgreSQL side of alerts: consumed alerts (notifier_alerts), their planning, and the ledger
rows of alert messages (notifier_deliveries, trigger '<kind>:<episode id>').

Intake stores alerts in the consumed batch's transaction; the alert worker plans them later
(`FOR UPDATE SKIP LOCKED`: several instances share the work), each once.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

import asyncpg

from suivi_notifier.adapters import pg_ledger
from suivi_notifier.adapters.pg_ledger import DELIVERY_COLUMNS, Delivery, as_delivery
from suivi_notifier.domain.alerts import ShipmentNow, alert_trigger, episode_triggers
from suivi_notifier.domain.planning import Recipient
from suivi_schemas import Channel, ShipmentAlert

_STORE = """
INSERT INTO notifier_alerts
    (event_id, episode_id, kind, shipment_key, detected_at, payload, received_at)
SELECT t.event_id, t.episode_id, t.kind, t.shipment_key, t.detected_at, t.payload, $7
FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::timestamptz[], $6::text[])
    AS t(event_id, episode_id, kind, shipment_key, detected_at, payload)
ON CONFLICT (event_id) DO NOTHING
RETURNING event_id
"""
# Alerts to plan: those whose shipment belongs to a known order, and those past the horizon
# (planned without an order: the shopper is not told any more, nor is a merchant known).
# Within a shipment, an episode's alert before its `recovered`.
_UNPLANNED = """
SELECT a.payload FROM notifier_alerts a
WHERE a.planned_at IS NULL
  AND (a.detected_at < $2 OR EXISTS (
      SELECT 1 FROM notifier_order_shipments l WHERE l.shipment_key = a.shipment_key))
ORDER BY a.detected_at, a.kind = 'recovered', a.event_id
LIMIT $1
FOR UPDATE OF a SKIP LOCKED
"""
_SUPERSEDE_EPISODE = f"""
UPDATE notifier_deliveries
SET state = 'superseded', next_attempt_at = NULL, updated_at = $3
WHERE shipment_key = $1 AND trigger = ANY($2::text[]) AND state = 'pending'
RETURNING {DELIVERY_COLUMNS}
"""  # noqa: S608 - constants only
_MERCHANT_ORDERS = """
SELECT l.merchant_id, array_agg(DISTINCT l.order_number ORDER BY l.order_number) AS orders
FROM notifier_order_shipments l JOIN notifier_orders o USING (merchant_id, order_number)
WHERE l.shipment_key = $1 AND l.active AND NOT o.cancelled
GROUP BY l.merchant_id
"""


async def store(conn: asyncpg.Connection, alerts: Sequence[ShipmentAlert], now: datetime) -> int:
    """Keeps each alert once (by its deterministic event id); returns how many were new."""
    if not alerts:
        return 0
    rows = await conn.fetch(
        _STORE,
        [a.event_id for a in alerts],
        [a.episode_id for a in alerts],
        [a.kind.value for a in alerts],
        [a.key for a in alerts],
        [a.detected_at for a in alerts],
        [a.model_dump_json() for a in alerts],
        now,
    )
    return len(rows)


async def unplanned(conn: asyncpg.Connection, horizon: datetime, limit: int) -> list[ShipmentAlert]:
    """Alerts to plan now, locked until the transaction ends."""
    rows = await conn.fetch(_UNPLANNED, limit, horizon)
    return [ShipmentAlert.model_validate_json(r["payload"]) for r in rows]


async def mark_planned(
    conn: asyncpg.Connection, event_id: uuid.UUID, outcome: str, now: datetime
) -> None:
    await conn.execute(
        "UPDATE notifier_alerts SET planned_at = $2, outcome = $3 WHERE event_id = $1",
        event_id,
        now,
        outcome,
    )


async def alert(conn: asyncpg.Connection, event_id: uuid.UUID) -> ShipmentAlert | None:
    payload = await conn.fetchval(
        "SELECT payload FROM notifier_alerts WHERE event_id = $1", event_id
    )
    return ShipmentAlert.model_validate_json(payload) if payload is not None else None


async def shipment_now(conn: asyncpg.Connection, key: str) -> ShipmentNow | None:
    row = await conn.fetchrow(
        "SELECT latest_status, latest_occurred_at FROM notifier_shipments WHERE shipment_key = $1",
        key,
    )
    return ShipmentNow(row["latest_status"], row["latest_occurred_at"]) if row else None


async def episode_over(conn: asyncpg.Connection, episode_id: uuid.UUID) -> bool:
    over: bool = await conn.fetchval(
        "SELECT EXISTS (SELECT 1 FROM notifier_alerts "
        "WHERE episode_id = $1 AND kind = 'recovered')",
        episode_id,
    )
    return over


async def told_channels(
    conn: asyncpg.Connection, key: str, episode_id: uuid.UUID
) -> frozenset[Channel]:
    """The channels on which the shopper was told about the episode."""
    rows = await conn.fetch(
        "SELECT DISTINCT channel FROM notifier_deliveries "
        "WHERE shipment_key = $1 AND trigger = ANY($2::text[]) AND state = 'sent'",
        key,
        episode_triggers(episode_id),
    )
    return frozenset(Channel(r["channel"]) for r in rows)


async def supersede_episode(
    conn: asyncpg.Connection, key: str, episode_id: uuid.UUID, now: datetime
) -> list[Delivery]:
    """The episode's messages not sent yet (retrying, deferred) are moot: superseded."""
    rows = await conn.fetch(_SUPERSEDE_EPISODE, key, episode_triggers(episode_id), now)
    return [as_delivery(r) for r in rows]


async def create_delivery(
    conn: asyncpg.Connection,
    alert: ShipmentAlert,
    recipient: Recipient,
    channel: Channel,
    now: datetime,
) -> bool:
    """The ledger row of one alert message (never twice: unique per shipment, episode, kind
    and channel). Its occurred_at is the shipment's last carrier event, so a status trigger
    from a newer event supersedes it while it waits (the new message says more)."""
    return await pg_ledger.insert_delivery(
        conn, alert.key, alert_trigger(alert.kind.value, alert.episode_id), channel, recipient,
        alert.carrier, alert.tracking_number, alert.event_id, alert.last_event_at, now,
    )  # fmt: skip


async def merchant_orders(conn: asyncpg.Connection, key: str) -> dict[str, list[str]]:
    """The merchants whose live orders hold the shipment, with those order numbers."""
    return {r["merchant_id"]: list(r["orders"]) for r in await conn.fetch(_MERCHANT_ORDERS, key)}
