"""PostgreSQL side of consumption: the recipients model (orders) and shipment states.

Every function takes a connection inside the caller's transaction: the whole consumed batch is
recorded in one transaction, committed before the Kafka offsets are.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

import asyncpg

from suivi_notifier.domain.shipment import Pending, ShipmentState
from suivi_schemas import Location, OrderEvent, ShipmentStatusEvent


def token_hash(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


def parcel_items(order: OrderEvent, key: str) -> str:
    """What the order's parcel `key` holds, as its messages name it: JSON [{title, quantity}],
    titles from the order's line items (an item without a known title is left out)."""
    titles = {li.line_item_id: li.title for li in order.line_items}
    items: dict[str, int] = {}
    for shipment in order.shipments:
        if shipment.key == key:
            for item in shipment.items:
                title = titles.get(item.line_item_id)
                if title:
                    items[title] = items.get(title, 0) + item.quantity
    return json.dumps([{"title": t, "quantity": q} for t, q in items.items()])


def place_of(location: Location | None) -> str | None:
    """'Lyon, FR': the city (else the region or postal code) and the country, as carriers give."""
    if location is None or location.is_empty():
        return None
    town = location.city or location.region or location.postal_code
    parts = [p for p in (town, location.country) if p]
    return ", ".join(parts) if parts else None


_UPSERT_ORDER = """
INSERT INTO notifier_orders (
    merchant_id, order_number, updated_at, event_id, cancelled, email, phone, name, locale,
    timezone, opt_email, opt_sms, opt_push, status_token_hash, unsubscribe_token_hash,
    received_at
) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
ON CONFLICT (merchant_id, order_number) DO UPDATE SET
    updated_at = EXCLUDED.updated_at, event_id = EXCLUDED.event_id,
    cancelled = EXCLUDED.cancelled, email = EXCLUDED.email, phone = EXCLUDED.phone,
    name = EXCLUDED.name, locale = EXCLUDED.locale, timezone = EXCLUDED.timezone,
    opt_email = EXCLUDED.opt_email, opt_sms = EXCLUDED.opt_sms, opt_push = EXCLUDED.opt_push,
    status_token_hash = EXCLUDED.status_token_hash,
    unsubscribe_token_hash = EXCLUDED.unsubscribe_token_hash,
    received_at = EXCLUDED.received_at
WHERE notifier_orders.updated_at < EXCLUDED.updated_at
RETURNING 1
"""
_DROP_LINKS = "DELETE FROM notifier_order_shipments WHERE merchant_id = $1 AND order_number = $2"
_ADD_LINK = """
INSERT INTO notifier_order_shipments
    (shipment_key, merchant_id, order_number, carrier, tracking_number, active, items)
VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb)
"""


_ADD_FULFILLMENT_LINK = """
INSERT INTO notifier_order_shipments
    (shipment_key, merchant_id, order_number, carrier, tracking_number, active, items)
SELECT $1, $2, $3, $4, $5, $6, $8::jsonb
FROM notifier_orders o
WHERE o.merchant_id = $2 AND o.order_number = $3 AND o.updated_at <= $7
ON CONFLICT (shipment_key, merchant_id, order_number) DO UPDATE SET active = EXCLUDED.active,
    items = CASE WHEN EXCLUDED.items = '[]'::jsonb THEN notifier_order_shipments.items
                 ELSE EXCLUDED.items END
"""


async def add_fulfillment(conn: asyncpg.Connection, fulfillment: OrderEvent) -> None:
    """One fulfilment's parcels join its order's links, if the order is known and its snapshot
    is not newer (a newer snapshot is authoritative). Before the order: nothing is kept — the
    order snapshot Shopify sends on fulfilment (orders/updated) lists the same parcels."""
    rows = [
        (
            shipment.key,
            fulfillment.merchant_id,
            fulfillment.order_number,
            shipment.carrier,
            shipment.tracking_number,
            shipment.state == "active",
            fulfillment.updated_at,
            parcel_items(fulfillment, shipment.key),
        )
        for shipment in fulfillment.shipments
    ]
    if rows:
        await conn.executemany(_ADD_FULFILLMENT_LINK, rows)


async def upsert_order(
    conn: asyncpg.Connection,
    order: OrderEvent,
    *,
    status_token: str,
    unsubscribe_token: str,
    now: datetime,
) -> bool:
    """Stores the snapshot if it is newer than the one kept; True when it was."""
    customer = order.customer
    stored = await conn.fetchval(
        _UPSERT_ORDER,
        order.merchant_id,
        order.order_number,
        order.updated_at,
        order.event_id,
        order.cancelled,
        str(customer.email) if customer.email else None,
        customer.phone,
        customer.name,
        customer.locale,
        customer.timezone,
        order.notifications.email,
        order.notifications.sms,
        order.notifications.push,
        token_hash(status_token),
        token_hash(unsubscribe_token),
        now,
    )
    if stored is None:
        return False
    await conn.execute(_DROP_LINKS, order.merchant_id, order.order_number)
    links: dict[str, tuple[str, str, bool]] = {}
    for shipment in order.shipments:
        active = shipment.state == "active"
        _, _, was_active = links.get(shipment.key, ("", "", False))
        links[shipment.key] = (shipment.carrier, shipment.tracking_number, active or was_active)
    if links:
        await conn.executemany(
            _ADD_LINK,
            [
                (
                    key,
                    order.merchant_id,
                    order.order_number,
                    carrier,
                    number,
                    active,
                    parcel_items(order, key),
                )
                for key, (carrier, number, active) in links.items()
            ],
        )
    return True


_LOAD = """
SELECT shipment_key, latest_status, latest_occurred_at, latest_event_id, reached,
       pending_trigger, pending_event_id, pending_occurred_at, due_at
FROM notifier_shipments WHERE shipment_key = ANY($1::text[])
ORDER BY shipment_key FOR UPDATE
"""
_MERCHANTS = """
SELECT DISTINCT l.shipment_key, l.merchant_id
FROM notifier_order_shipments l
JOIN notifier_orders o USING (merchant_id, order_number)
WHERE l.shipment_key = ANY($1::text[]) AND l.active AND NOT o.cancelled
"""
_SAVE = """
INSERT INTO notifier_shipments (
    shipment_key, carrier, tracking_number, latest_status, latest_occurred_at, latest_event_id,
    reached, pending_trigger, pending_event_id, pending_occurred_at, due_at, updated_at
) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
ON CONFLICT (shipment_key) DO UPDATE SET
    latest_status = EXCLUDED.latest_status, latest_occurred_at = EXCLUDED.latest_occurred_at,
    latest_event_id = EXCLUDED.latest_event_id, reached = EXCLUDED.reached,
    pending_trigger = EXCLUDED.pending_trigger, pending_event_id = EXCLUDED.pending_event_id,
    pending_occurred_at = EXCLUDED.pending_occurred_at, due_at = EXCLUDED.due_at,
    updated_at = EXCLUDED.updated_at
"""


_PLACE = """
UPDATE notifier_shipments SET latest_place = $2 WHERE shipment_key = $1 AND latest_event_id = $3
"""


async def save_places(conn: asyncpg.Connection, events: Iterable[ShipmentStatusEvent]) -> None:
    """Each shipment's latest place: only an event that is now its latest one sets it."""
    rows = [(e.key, place_of(e.location), e.event_id) for e in events]
    if rows:
        await conn.executemany(_PLACE, rows)


async def load_shipments(conn: asyncpg.Connection, keys: Iterable[str]) -> dict[str, ShipmentState]:
    """The states of these shipments, locked until the transaction ends."""
    states: dict[str, ShipmentState] = {}
    for row in await conn.fetch(_LOAD, sorted(set(keys))):
        pending = None
        if row["pending_trigger"] is not None:
            pending = Pending(
                row["pending_trigger"],
                row["pending_event_id"],
                row["pending_occurred_at"],
                row["due_at"],
            )
        states[row["shipment_key"]] = ShipmentState(
            latest_status=row["latest_status"],
            latest_occurred_at=row["latest_occurred_at"],
            latest_event_id=row["latest_event_id"],
            reached=frozenset(row["reached"]),
            pending=pending,
        )
    return states


async def merchants_of(conn: asyncpg.Connection, keys: Iterable[str]) -> dict[str, list[str]]:
    """The merchants whose live orders hold each shipment (usually one)."""
    found: dict[str, list[str]] = {}
    for row in await conn.fetch(_MERCHANTS, sorted(set(keys))):
        found.setdefault(row["shipment_key"], []).append(row["merchant_id"])
    return found


async def save_shipments(
    conn: asyncpg.Connection,
    states: Mapping[str, ShipmentState],
    identities: Mapping[str, tuple[str, str]],
    now: datetime,
) -> None:
    rows: Sequence[tuple[object, ...]] = [
        (
            key,
            *identities[key],
            state.latest_status,
            state.latest_occurred_at,
            state.latest_event_id,
            sorted(state.reached),
            state.pending.trigger if state.pending else None,
            state.pending.event_id if state.pending else None,
            state.pending.occurred_at if state.pending else None,
            state.pending.due_at if state.pending else None,
            now,
        )
        for key, state in sorted(states.items())
    ]
    if rows:
        await conn.executemany(_SAVE, rows)
