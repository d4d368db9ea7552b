"""The batch write path against the real PostgreSQL: idempotence, arrival order, reuse, NOTIFY."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence
from datetime import timedelta

import asyncpg

from suivi_infra.settings import PostgresSettings
from suivi_infra.tokens import TokenSettings, status_token
from suivi_projections.db.migrate import migrate
from suivi_projections.db.notify import ORDER_CHANGED_CHANNEL
from suivi_projections.domain.orders import OrderStatus
from suivi_projections.testing.reference import ModelState, Projection
from suivi_projections.testing.samples import T0, order_event, status_event
from suivi_projections.testing.snapshot import read_state
from suivi_projections.write.batch import ApplyResult, apply_batch
from suivi_schemas import OrderEvent, ShipmentStatus, ShipmentStatusEvent

S = ShipmentStatus
Item = ShipmentStatusEvent | OrderEvent
DAY = timedelta(days=1)


async def apply(
    pool: asyncpg.Pool,
    statuses: Sequence[ShipmentStatusEvent] = (),
    orders: Sequence[OrderEvent] = (),
) -> ApplyResult:
    async with pool.acquire() as conn, conn.transaction():
        return await apply_batch(conn, statuses, orders)


def parcel(number: str = "1Z999AA1", start_days: float = 0) -> list[ShipmentStatusEvent]:
    at = T0 + start_days * DAY
    return [
        status_event("ups", number, at, S.INFO_RECEIVED),
        status_event("ups", number, at + DAY, S.IN_TRANSIT, city="Lyon", country="FR"),
        status_event("ups", number, at + 2 * DAY, S.OUT_FOR_DELIVERY),
        status_event("ups", number, at + 2.3 * DAY, S.DELIVERED),
    ]


def order(number: str = "1001", **kw: object) -> OrderEvent:
    shipments = kw.pop("shipments", [("ups", "1Z999AA1", [("li-1", 1)])])
    return order_event("acme", number, shipments=shipments, **kw)  # type: ignore[arg-type]


async def table_counts(pool: asyncpg.Pool) -> dict[str, int]:
    tables = ("processed_events", "shipment_events", "shipments", "orders", "order_shipments")
    counts = {}
    for table in tables:
        counts[table] = await pool.fetchval(f"SELECT count(*) FROM {table}")  # noqa: S608
    return counts


async def test_the_same_batch_twice_is_applied_once(pool: asyncpg.Pool) -> None:
    batch = parcel()
    first = await apply(pool, batch, [order()])
    state, counts = await read_state_of(pool), await table_counts(pool)
    second = await apply(pool, batch, [order()])
    assert sum(first.applied.values()) == 4 and first.orders_applied == 1
    assert sum(second.applied.values()) == 0 and second.orders_applied == 0
    assert second.status_duplicates == 4 and second.order_duplicates == 1
    assert second.notified == []
    assert await read_state_of(pool) == state
    assert (
        await table_counts(pool)
        == counts
        == {
            "processed_events": 1,  # the order snapshot; status events are keyed in the timeline
            "shipment_events": 4,
            "shipments": 1,
            "orders": 1,
            "order_shipments": 1,
        }
    )


async def read_state_of(pool: asyncpg.Pool) -> ModelState:
    async with pool.acquire() as conn:
        return await read_state(conn)


async def test_order_first_or_events_first_end_in_the_same_read_model(
    pg_pool: asyncpg.Pool, pg_schema: str
) -> None:
    events, placed = parcel(), order()
    states = []
    orders: list[Item] = [placed]
    statuses: list[Item] = list(events)
    for batches in ([orders, statuses], [statuses, orders], [statuses[2:], orders, statuses[:2]]):
        async with pg_pool.acquire() as conn:
            await conn.execute(f'DROP SCHEMA "{pg_schema}" CASCADE; CREATE SCHEMA "{pg_schema}"')
            await migrate(conn)
        for batch in batches:
            in_batch = [e for e in batch if isinstance(e, ShipmentStatusEvent)]
            await apply(pg_pool, in_batch, [e for e in batch if isinstance(e, OrderEvent)])
        states.append(await read_state_of(pg_pool))
    reference = Projection()
    for item in [*orders, *statuses]:
        reference.apply(item)
    assert states[0] == states[1] == states[2] == reference.state()
    (only,) = states[0].orders.values()
    assert only.status is OrderStatus.DELIVERED


async def test_two_batches_in_one_transaction_add_up(pool: asyncpg.Pool) -> None:
    events = parcel()
    async with pool.acquire() as conn, conn.transaction():
        await apply_batch(conn, events[:2], [order()])
        await apply_batch(conn, events[2:], [])
    reference = Projection()
    reference.apply(order())
    for event in events:
        reference.apply(event)
    assert await read_state_of(pool) == reference.state()


async def test_events_before_the_order_are_an_unlinked_shipment_then_linked(
    pool: asyncpg.Pool,
) -> None:
    await apply(pool, parcel()[:2])
    assert await pool.fetchval("SELECT count(*) FROM order_shipments") == 0
    result = await apply(pool, [], [order()])
    row = await pool.fetchrow("SELECT generation, state FROM order_shipments")
    assert (row["generation"], row["state"]) == (1, "active")
    assert await pool.fetchval("SELECT status FROM orders") == "in_transit"
    assert len(result.notified) == 1


async def test_a_reused_tracking_number_starts_a_new_generation(pool: asyncpg.Pool) -> None:
    old, new = parcel(), parcel(start_days=400)
    await apply(pool, old, [order("2023")])
    # The new parcel's order comes first: it links to a generation no event has reached yet.
    later = order("2024", placed_at=T0 + 399 * DAY)
    await apply(pool, [], [later])
    rows = await pool.fetch("SELECT generation, status FROM shipments ORDER BY generation")
    assert [(r[0], r[1]) for r in rows] == [(1, "delivered"), (2, None)]
    assert await pool.fetchval("SELECT status FROM orders WHERE order_number = '2024'") == (
        "shipped"
    )
    await apply(pool, new[:2])
    statuses = await pool.fetch("SELECT order_number, status FROM orders ORDER BY order_number")
    assert [(r[0], r[1]) for r in statuses] == [("2023", "delivered"), ("2024", "in_transit")]
    # A straggler of the old parcel arriving now joins the old generation, reopening nothing.
    straggler = status_event("ups", "1Z999AA1", T0 + 1.5 * DAY, S.IN_TRANSIT, code="late")
    await apply(pool, [straggler])
    rows = await pool.fetch("SELECT generation, status, event_count FROM shipments ORDER BY 1")
    assert [tuple(r) for r in rows] == [(1, "delivered", 5), (2, "in_transit", 2)]


async def test_an_older_snapshot_changes_nothing_and_tokens_never_change(
    pool: asyncpg.Pool,
) -> None:
    v1 = order(updated_at=T0)
    v2 = order(updated_at=T0 + DAY, cancelled=True)
    await apply(pool, [], [v1])
    tokens = await pool.fetchrow("SELECT status_token, share_token FROM orders")
    await apply(pool, [], [v2])
    assert (await apply(pool, [], [v1])).order_duplicates == 1
    result = await apply(pool, [], [order(updated_at=T0 + DAY / 2)])  # older, never seen
    assert result.orders_stale == 1 and result.notified == []
    row = await pool.fetchrow("SELECT status, status_token, share_token, event_id FROM orders")
    assert row["status"] == "cancelled" and row["event_id"] == v2.event_id
    assert (row["status_token"], row["share_token"]) == tuple(tokens)
    assert len(tokens[0]) == len(tokens[1]) == 32 and tokens[0] != tokens[1]


async def test_a_snapshot_that_drops_a_parcel_unlinks_it(pool: asyncpg.Pool) -> None:
    await apply(pool, [], [order(updated_at=T0)])
    await apply(pool, [], [order(updated_at=T0 + DAY, shipments=[])])
    assert await pool.fetchval("SELECT count(*) FROM order_shipments") == 0
    # No event ever came and no order wants it any more: nothing is left of that parcel.
    assert await pool.fetchval("SELECT count(*) FROM shipments") == 0
    assert await pool.fetchval("SELECT status FROM orders") == "confirmed"


async def test_fulfilment_events_merge_with_the_snapshot_in_any_order(
    pool: asyncpg.Pool,
) -> None:
    shopify = {"1Z999AA1": "f1"}
    snapshot = order(updated_at=T0, parcel_fulfillments=shopify)
    moved = order(  # the fulfilment's newer event: a new parcel replaces the first
        updated_at=T0 + DAY, fulfillment_id="f1", shipments=[("ups", "1Z999AA9", [("li-1", 1)])]
    )
    await apply(pool, [], [moved])
    assert await pool.fetchval("SELECT count(*) FROM orders") == 0  # nothing to show yet
    await apply(pool, parcel("1Z999AA9"), [snapshot])
    rows = await pool.fetch("SELECT tracking_number FROM order_shipments")
    assert [r[0] for r in rows] == ["1Z999AA9"]
    assert await pool.fetchval("SELECT status FROM orders") == "delivered"
    # A newer snapshot is authoritative again: its own parcel is back.
    await apply(pool, [], [order(updated_at=T0 + 2 * DAY, parcel_fulfillments=shopify)])
    rows = await pool.fetch("SELECT tracking_number FROM order_shipments")
    assert [r[0] for r in rows] == ["1Z999AA1"]


async def test_listeners_hear_changed_orders_after_commit(
    pool: asyncpg.Pool, postgres_settings: PostgresSettings
) -> None:
    # The channel is database-wide and tokens derive from the order's identity: a number of
    # this test's own keeps other tests' notifications apart.
    number = f"N{uuid.uuid4().hex[:10]}"
    token = status_token(TokenSettings().token_key, "acme", number)
    heard: list[str] = []
    listener = await asyncpg.connect(postgres_settings.database_url)
    await listener.add_listener(ORDER_CHANGED_CHANNEL, lambda *args: heard.append(args[3]))
    try:
        async with pool.acquire() as conn:
            tx = conn.transaction()
            await tx.start()
            result = await apply_batch(conn, parcel(), [order(number)])
            await asyncio.sleep(0.3)
            assert token not in heard  # not before the commit
            await tx.commit()
        assert result.notified == [token]
        assert token == await pool.fetchval("SELECT status_token FROM orders")
        assert await eventually_heard(heard, token, 1)
        # Several events of the order in one batch: one notification.
        more = [
            status_event("ups", "1Z999AA1", T0 + 3 * DAY, S.DELIVERED, code=f"x{i}")
            for i in range(3)
        ]
        assert (await apply(pool, more)).notified == [token]
        assert await eventually_heard(heard, token, 2)
        await asyncio.sleep(0.3)
        assert heard.count(token) == 2
    finally:
        await listener.close()


async def eventually_heard(heard: list[str], token: str, times: int) -> bool:
    for _ in range(50):
        if heard.count(token) >= times:
            return True
        await asyncio.sleep(0.1)
    return False
