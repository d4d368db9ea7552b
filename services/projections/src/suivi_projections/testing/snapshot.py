"""The whole read model read back from PostgreSQL as a `ModelState` (tests, benchmark check)."""

from __future__ import annotations

import json

import asyncpg

from suivi_projections.db.rows import generation_from_row
from suivi_projections.domain.orders import OrderStatus
from suivi_projections.testing.reference import GenerationKey, ModelState, OrderModel
from suivi_projections.write.sql import SHIPMENT_COLUMNS

SHIPMENTS = f"SELECT carrier, tracking_number, {SHIPMENT_COLUMNS} FROM shipments"  # noqa: S608
TIMELINES = """
SELECT s.carrier, s.tracking_number, s.generation, e.event_id
FROM shipments s
JOIN shipment_events e ON e.carrier = s.carrier AND e.tracking_number = s.tracking_number
    AND (e.occurred_at, e.event_id) >= (s.first_event_at, s.first_event_id)
    AND (e.occurred_at, e.event_id) <= (s.last_event_at, s.last_event_id)
ORDER BY e.occurred_at, e.event_id
"""
ORDERS = "SELECT order_id, merchant_id, order_number, event_id, status FROM orders"
LINKS = """
SELECT order_id, carrier, tracking_number, generation, state, items::text
FROM order_shipments ORDER BY order_id, position
"""


async def read_state(conn: asyncpg.Connection) -> ModelState:
    model = ModelState()
    for r in await conn.fetch(SHIPMENTS):
        key: GenerationKey = (r["carrier"], r["tracking_number"], r["generation"])
        model.shipments[key] = generation_from_row(r)
        model.timelines[key] = ()
    for r in await conn.fetch(TIMELINES):
        key = (r[0], r[1], r[2])
        model.timelines[key] = (*model.timelines[key], r[3])
    links: dict[int, list[tuple[GenerationKey, str, tuple[tuple[str, int], ...]]]] = {}
    for r in await conn.fetch(LINKS):
        items = tuple((i["line_item_id"], i["quantity"]) for i in json.loads(r[5]))
        links.setdefault(r[0], []).append(((r[1], r[2], r[3]), r[4], items))
    for r in await conn.fetch(ORDERS):
        state = OrderModel(r["event_id"], OrderStatus(r["status"]), tuple(links.get(r[0], [])))
        model.orders[(r["merchant_id"], r["order_number"])] = state
    return model
