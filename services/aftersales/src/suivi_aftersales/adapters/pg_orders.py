"""PostgreSQL statements of what after-sales learns from the topics: orders (with their page
token's digest) and parcel facts; and the outbox of `commerce.returns.v1`."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence

import asyncpg

from suivi_aftersales.domain.parcels import ParcelFacts
from suivi_aftersales.domain.policy import Line, OrderFacts
from suivi_schemas.claims import ClaimEvent
from suivi_schemas.common import Location
from suivi_schemas.events import ShipmentStatusEvent
from suivi_schemas.ids import shipment_key
from suivi_schemas.order_state import OrderState
from suivi_schemas.orders import OrderEvent
from suivi_schemas.returns import ReturnEvent


def token_digest(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


async def load_order_state(
    conn: asyncpg.Connection, merchant_id: str, order_number: str
) -> OrderState | None:
    row = await conn.fetchrow(
        "SELECT snapshot, fulfillments FROM aftersales_orders"
        " WHERE merchant_id = $1 AND order_number = $2 FOR UPDATE",
        merchant_id, order_number,
    )  # fmt: skip
    if row is None:
        return None
    snapshot = OrderEvent.model_validate_json(row["snapshot"]) if row["snapshot"] else None
    fulfillments = {
        fid: OrderEvent.model_validate(body)
        for fid, body in json.loads(row["fulfillments"]).items()
    }
    return OrderState(snapshot, fulfillments)


_SAVE_ORDER = """
INSERT INTO aftersales_orders (merchant_id, order_number, token_digest, snapshot, fulfillments,
    cancelled, placed_at, locale, lines, parcel_keys)
VALUES ($1, $2, $3, $4::jsonb, $5::jsonb, $6, $7, $8, $9::jsonb, $10)
ON CONFLICT (merchant_id, order_number) DO UPDATE SET token_digest = excluded.token_digest,
    snapshot = excluded.snapshot, fulfillments = excluded.fulfillments,
    cancelled = excluded.cancelled, placed_at = excluded.placed_at, locale = excluded.locale,
    lines = excluded.lines, parcel_keys = excluded.parcel_keys
"""


async def save_order(
    conn: asyncpg.Connection, merchant_id: str, order_number: str, token: str, state: OrderState
) -> None:
    merged = state.merge()
    lines = [
        {"line_item_id": i.line_item_id, "title": i.title, "sku": i.sku, "quantity": i.quantity}
        for i in (merged.line_items if merged else ())
    ]
    keys = sorted({s.key for s in merged.shipments if s.state == "active"}) if merged else []
    fulfillments = {fid: e.model_dump(mode="json") for fid, e in state.fulfillments.items()}
    await conn.execute(
        _SAVE_ORDER, merchant_id, order_number, token_digest(token),
        state.snapshot.model_dump_json() if state.snapshot else None, json.dumps(fulfillments),
        merged.cancelled if merged else False, merged.placed_at if merged else None,
        merged.customer.locale.split("-")[0] if merged else "en", json.dumps(lines), keys,
    )  # fmt: skip


_FACTS = """
SELECT o.merchant_id, o.order_number, o.cancelled, o.locale, o.lines,
    o.snapshot IS NOT NULL AS known,
    cardinality(o.parcel_keys) AS parcels,
    (SELECT count(p.delivered_at) FROM aftersales_parcels p WHERE p.parcel_key = ANY(o.parcel_keys))
        AS delivered,
    (SELECT max(p.delivered_at) FROM aftersales_parcels p WHERE p.parcel_key = ANY(o.parcel_keys))
        AS delivered_at
FROM aftersales_orders o
"""


def _facts(row: asyncpg.Record) -> OrderFacts | None:
    if not row["known"]:  # only fulfilment events so far: not an order to show yet
        return None
    complete = row["parcels"] > 0 and row["delivered"] == row["parcels"]
    lines = {
        i["line_item_id"]: Line(i["line_item_id"], i["title"], i["sku"], i["quantity"])
        for i in json.loads(row["lines"])
    }
    return OrderFacts(
        row["merchant_id"], row["order_number"], row["cancelled"],
        row["delivered_at"] if complete else None, lines, row["locale"],
    )  # fmt: skip


async def order_facts(
    conn: asyncpg.Connection, merchant_id: str, order_number: str
) -> OrderFacts | None:
    row = await conn.fetchrow(_FACTS + " WHERE merchant_id = $1 AND order_number = $2",
                              merchant_id, order_number)  # fmt: skip
    return None if row is None else _facts(row)


async def order_by_token(conn: asyncpg.Connection, token: str) -> OrderFacts | None:
    """The order whose private page token this is; the caller compares the token itself again
    in constant time (the index lookup is on a digest, telling nothing about the token)."""
    row = await conn.fetchrow(_FACTS + " WHERE token_digest = $1", token_digest(token))
    return None if row is None else _facts(row)


async def order_parcels(conn: asyncpg.Connection, merchant_id: str, order_number: str) -> list[str]:
    """The order's active parcels' keys (`carrier:NUMBER`)."""
    keys: list[str] | None = await conn.fetchval(
        "SELECT parcel_keys FROM aftersales_orders WHERE merchant_id = $1 AND order_number = $2",
        merchant_id, order_number,
    )  # fmt: skip
    return list(keys or [])


async def lock_parcel(conn: asyncpg.Connection, key: str) -> None:
    """Serialises, until the transaction ends, everything that reads a parcel's facts to move
    its returns (the intake, attach, approve): even a parcel with no row yet. Always taken
    before any return row lock, so the two never deadlock."""
    await conn.execute("SELECT pg_advisory_xact_lock(hashtextextended($1, 7))", key)


async def load_parcel(conn: asyncpg.Connection, key: str, *, lock: bool = False) -> ParcelFacts:
    sql = "SELECT * FROM aftersales_parcels WHERE parcel_key = $1"
    row = await conn.fetchrow(sql + (" FOR UPDATE" if lock else ""), key)
    if row is None:
        return ParcelFacts()
    location = row["first_scan_location"]
    return ParcelFacts(
        row["first_scan_at"], row["first_scan_event"],
        Location.model_validate_json(location) if location else None,
        row["last_scan_at"], row["delivered_at"],
    )  # fmt: skip


async def save_parcel(conn: asyncpg.Connection, key: str, facts: ParcelFacts) -> None:
    location = facts.first_scan_location.model_dump_json() if facts.first_scan_location else None
    await conn.execute(
        """INSERT INTO aftersales_parcels AS p VALUES ($1, $2, $3, $4::jsonb, $5, $6)
ON CONFLICT (parcel_key) DO UPDATE SET first_scan_at = excluded.first_scan_at,
    first_scan_event = excluded.first_scan_event,
    first_scan_location = excluded.first_scan_location,
    last_scan_at = excluded.last_scan_at, delivered_at = excluded.delivered_at""",
        key, facts.first_scan_at, facts.first_scan_event, location, facts.last_scan_at,
        facts.delivered_at,
    )  # fmt: skip


async def save_timeline(conn: asyncpg.Connection, events: Sequence[ShipmentStatusEvent]) -> None:
    """Every status event once (its id is the checkpoint's): a parcel's timeline, in any order."""
    if not events:
        return
    await conn.executemany(
        "INSERT INTO aftersales_parcel_events VALUES ($1, $2, $3, $4, $5::jsonb, $6)"
        " ON CONFLICT (event_id) DO NOTHING",
        [
            (
                e.event_id,
                shipment_key(e.carrier, e.tracking_number),
                e.occurred_at,
                e.status.value,
                e.location.model_dump_json() if e.location else None,
                e.raw_message,
            )
            for e in events
        ],
    )


async def enqueue(
    conn: asyncpg.Connection, events: Sequence[ReturnEvent | ClaimEvent], stream: str = "returns"
) -> int:
    """Writes the events to the outbox (an event id already there is skipped); how many new."""
    added = 0
    for event in events:
        status: str = await conn.execute(
            "INSERT INTO aftersales_outbox (event_id, record_key, body, stream)"
            " VALUES ($1, $2, $3, $4) ON CONFLICT (event_id) DO NOTHING",
            event.event_id, event.key, event.model_dump_json().encode(), stream,
        )  # fmt: skip
        added += status.endswith(" 1")
    if added:
        await conn.execute("NOTIFY aftersales_outbox")
    return added
