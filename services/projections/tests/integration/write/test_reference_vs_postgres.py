"""Property: any permutation and duplication of events and order snapshots, cut into any
batches, ends in PostgreSQL in the same read model as in the in-memory reference projection."""

from __future__ import annotations

import random

import asyncpg
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from suivi_projections.testing.snapshot import read_state
from suivi_projections.testing.streams import (
    Item,
    arrival,
    batches,
    in_memory,
    order_events,
    status_events,
)
from suivi_projections.write.batch import apply_batch
from suivi_schemas import OrderEvent, ShipmentStatusEvent


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(events=status_events(), orders=order_events(), seed=st.integers(0, 2**32))
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
