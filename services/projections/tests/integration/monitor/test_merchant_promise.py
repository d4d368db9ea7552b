"""The merchant's promised day on the real PostgreSQL (issue 21): the projector keeps the newest
snapshot's day with the order, the monitor flags the parcel trending late against it (no
carrier date needed), and once the day is over undelivered, without a new scan."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import asyncpg

from suivi_infra.testing import RecordingSink
from suivi_projections.db.migrate import migrate
from suivi_projections.domain.eta_journey import Journey, Scan
from suivi_projections.domain.eta_model import EtaModel
from suivi_projections.domain.orders import OrderStatus
from suivi_projections.domain.watch import day_over
from suivi_projections.monitor import eta_store
from suivi_projections.monitor.worker import Monitor, MonitorConfig
from suivi_projections.query.readmodel import PostgresReadModel
from suivi_projections.query.views import OrderView
from suivi_projections.testing.samples import T0, order_event
from suivi_projections.testing.samples import status_event as scan
from suivi_projections.write.batch import apply_batch
from suivi_schemas import ShipmentStatus
from suivi_schemas.orders import OrderEvent

H = timedelta(hours=1)


def history() -> EtaModel:
    """60 UPS parcels in France, each attempted 4 to 6 days after pickup."""
    model = EtaModel()
    for k in range(60):
        at = (T0 - timedelta(days=70) + k * 12 * H).replace(hour=10)
        attempt = at + timedelta(days=6 if at.weekday() >= 1 else 4)
        journey = Journey("ups", None, "FR", "FR", (Scan(at, S.IN_TRANSIT, "FR"),), attempt, ())
        model.learn_journey(journey)
    return model


S = ShipmentStatus


def promising(day: date | None, updated_at: datetime) -> OrderEvent:
    event = order_event("acme", "P1", updated_at=updated_at, shipments=[("ups", "1ZP1", [])])
    return event.model_copy(update={"promised_delivery_date": day})


async def view(pool: asyncpg.Pool) -> OrderView:
    found = await PostgresReadModel(pool).order_by_number("acme", "P1")
    assert found is not None
    return found


async def flagged(pool: asyncpg.Pool) -> bool:
    return bool(await pool.fetchval("SELECT trending_late FROM shipment_insights"))


async def test_merchant_promise_flags_trending_then_late(pg_pool: asyncpg.Pool) -> None:
    async with pg_pool.acquire() as conn:
        await migrate(conn)
        await conn.execute(eta_store.SAVE_MODEL, eta_store.MODEL,
                           json.dumps(history().to_json()), 60, T0)  # fmt: skip
    picked = scan("ups", "1ZP1", T0, S.IN_TRANSIT, country="FR")  # no carrier date
    async with pg_pool.acquire() as conn, conn.transaction():
        await apply_batch(conn, [picked], [promising(date(2025, 3, 4), T0)])
    clock = [T0 + H]
    monitor = Monitor(pg_pool, RecordingSink(), MonitorConfig("alerts"), clock=lambda: clock[0])
    async with pg_pool.acquire() as conn:
        monitor.model = await eta_store.load_model(conn)
    await monitor.tick()
    order = await view(pg_pool)
    story = order.shipments[0].estimate_story
    assert order.promised_delivery_date == date(2025, 3, 4)  # the merchant API's order view
    assert story is not None and story.likeliest is not None and story.trending_late
    assert story.likeliest > date(2025, 3, 4)
    assert order.status is OrderStatus.NEEDS_ATTENTION
    page = await PostgresReadModel(pg_pool).orders("acme", OrderStatus.NEEDS_ATTENTION, None, 10)
    assert [o.order_number for o in page.orders] == ["P1"]

    # A later promise (a newer snapshot) clears it; an older snapshot, late, changes nothing.
    later = story.likeliest + timedelta(days=3)
    async with pg_pool.acquire() as conn, conn.transaction():
        await apply_batch(conn, [], [promising(later, T0 + 2 * H)])
        await apply_batch(conn, [], [promising(date(2025, 3, 4), T0 + H)])
        await apply_batch(conn, [], [promising(None, T0 + H)])
    clock[0] = T0 + 3 * H
    await monitor.tick()
    order = await view(pg_pool)
    assert order.promised_delivery_date == later
    assert not await flagged(pg_pool) and order.status is OrderStatus.IN_TRANSIT
    due = await pg_pool.fetchval("SELECT due_at FROM shipment_insights")
    assert due <= day_over(later)  # judged again when the promised day ends, scan or not

    # That day over, undelivered and silent: late on the merchant's promise.
    clock[0] = day_over(later)
    await monitor.tick()
    assert await flagged(pg_pool)
    assert (await view(pg_pool)).status is OrderStatus.NEEDS_ATTENTION
