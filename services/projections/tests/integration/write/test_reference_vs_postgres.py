"""Property: any permutation and duplication of events and order snapshots, cut into any
batches, ends in PostgreSQL in the same read model as in the in-memory reference projection."""

from __future__ import annotations

import random

import asyncpg

from suivi_projections.testing.snapshot import read_state
from suivi_projections.testing.streams import (
    Item,
    any_history_in_postgres,
    arrival,
    batches,
    in_memory,
)
from suivi_projections.write.batch import apply_batch
from suivi_schemas import OrderEvent, ShipmentStatusEvent


@any_history_in_postgres
async def test_postgres_path_matches_the_pure_projection_in_any_order(
    pool: asyncpg.Pool, events: list[ShipmentStatusEvent], orders: list[OrderEvent], seed: int
) -> None:
    items: list[Item] = [*events, *orders]
    rng = random.Random(seed)
    async with pool.acquire() as conn:
        await conn.execute(
            "TRUNCATE processed_events, shipment_events, shipments, order_shipments, orders, "
            "order_fulfillments"
        )
        for batch in batches(arrival(items, rng), rng):
            async with conn.transaction():
                await apply_batch(
                    conn,
                    [e for e in batch if isinstance(e, ShipmentStatusEvent)],
                    [e for e in batch if isinstance(e, OrderEvent)],
                )
        state = await read_state(conn)
        assert state == in_memory(items).state()
        async with conn.transaction():  # everything again, as one batch: nothing changes
            again = await apply_batch(conn, events, orders)
        assert again.notified == [] and await read_state(conn) == state
