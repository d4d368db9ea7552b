"""The status page tells, in plain words, what the monitor found: stalled, late, predicted."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from html import unescape

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
from suivi_projections.query.views import OrderView, Watch
from suivi_projections.testing.samples import T0, order_event, status_event
from suivi_projections.web.pages.render import render_private, translator
from suivi_projections.write.batch import apply_batch
from suivi_schemas import EstimateSource, ShipmentStatus

S = ShipmentStatus
D = timedelta(days=1)


async def page_of(pool: asyncpg.Pool, locale: str = "en") -> tuple[OrderView, str]:
    token = await pool.fetchval("SELECT status_token FROM orders")
    view = await PostgresReadModel(pool).order_by_status_token(token)
    assert view is not None
    html = render_private(view, translator(view, lang=locale, accept=None)).body
    return view, " ".join(unescape(html).split())


def read(pool: asyncpg.Pool) -> PostgresReadModel:
    return PostgresReadModel(pool)


async def numbers(pool: asyncpg.Pool, status: OrderStatus) -> list[str]:
    """The merchant API's list filtered by status (as GET /v1/merchants/…/orders?status=)."""
    page = await read(pool).orders("acme", status, None, 10)
    return [o.order_number for o in page.orders]


async def test_stalled_then_late_then_moving_again(pg_pool: asyncpg.Pool) -> None:
    async with pg_pool.acquire() as conn:
        await migrate(conn)
    order = order_event("acme", "77", shipments=[("ups", "1Z077", [("li-1", 1)])])
    moving = status_event(
        "ups", "1Z077", T0, S.IN_TRANSIT, city="Lyon", country="FR", eta=date(2025, 3, 7)
    )
    async with pg_pool.acquire() as conn, conn.transaction():
        await apply_batch(conn, [moving], [order])
    clock = [T0 + 4 * D]
    monitor = Monitor(pg_pool, RecordingSink(), MonitorConfig("alerts"), clock=lambda: clock[0])

    await monitor.tick()
    view, text = await page_of(pg_pool)
    assert view.shipments[0].watch is Watch.STALLED
    # The order and the merchant's list both say needs_attention while the parcel is silent.
    assert view.status is OrderStatus.NEEDS_ATTENTION
    assert await numbers(pg_pool, OrderStatus.NEEDS_ATTENTION) == ["77"]
    assert await numbers(pg_pool, OrderStatus.IN_TRANSIT) == []
    assert "No news from the carrier for a while" in text and "Last carrier scan:" in text
    assert "No news for a while" in text and "hasn't scanned this parcel since" in text
    assert "Expected delivery" in text  # the carrier's date is not over yet
    _, french = await page_of(pg_pool, "fr")
    assert "Pas de nouvelles depuis un moment" in french

    clock[0] = day_over(date(2025, 3, 7))
    await monitor.tick()
    view, text = await page_of(pg_pool)
    assert view.shipments[0].watch is Watch.LATE
    assert "Running late" in text and "Expected delivery" not in text

    again = status_event("ups", "1Z077", clock[0], S.IN_TRANSIT, eta=date(2025, 3, 11))
    async with pg_pool.acquire() as conn, conn.transaction():
        await apply_batch(conn, [again], [])
    await monitor.tick()
    view, text = await page_of(pg_pool)
    assert view.shipments[0].watch is None
    assert view.status is OrderStatus.IN_TRANSIT
    assert await numbers(pg_pool, OrderStatus.NEEDS_ATTENTION) == []
    assert [o.status for o in (await read(pg_pool).orders("acme", None, None, 5)).orders] == [
        OrderStatus.IN_TRANSIT
    ]
    assert "No news" not in text and "Running late" not in text
    assert view.shipments[0].estimated_delivery is not None
    assert view.shipments[0].estimated_delivery.source is EstimateSource.CARRIER


async def test_without_a_carrier_date_the_page_shows_the_predicted_window(
    pg_pool: asyncpg.Pool,
) -> None:
    learned = EtaModel()  # 25 La Poste parcels picked up in Lyon: 1, 2 or 3 days
    for k in range(25):
        at = T0 - timedelta(days=20) + timedelta(hours=k)
        journey = Journey("laposte", None, None, None, (Scan(at, S.IN_TRANSIT, "FR"),),
                          at + timedelta(days=(1, 2, 3)[k % 3]))  # fmt: skip
        learned.learn_journey(journey)
    async with pg_pool.acquire() as conn:
        await migrate(conn)
        await conn.execute(eta_store.SAVE_MODEL, eta_store.MODEL,
                           json.dumps(learned.to_json()), 25, T0)  # fmt: skip
    order = order_event("acme", "78", shipments=[("laposte", "6A078", [("li-1", 1)])])
    picked = status_event("laposte", "6A078", T0, S.IN_TRANSIT, city="Lyon", country="FR")
    async with pg_pool.acquire() as conn, conn.transaction():
        await apply_batch(conn, [picked], [order])
    monitor = Monitor(pg_pool, RecordingSink(), MonitorConfig("alerts"), clock=lambda: T0)
    async with pg_pool.acquire() as conn:  # (learning from real history: test_monitor_alerts)
        monitor.model = await eta_store.load_model(conn)
    await monitor.tick()
    view, text = await page_of(pg_pool)
    estimate = view.shipments[0].estimated_delivery
    assert estimate is not None and estimate.source is EstimateSource.PREDICTED
    # Picked up Monday 3 March; La Poste delivers Monday to Saturday: +1 and +3 delivery days.
    assert (estimate.earliest, estimate.latest) == (date(2025, 3, 4), date(2025, 3, 6))
    # 25 deliveries, the older weighing a little less (issue 21: half-life 90 days).
    assert re.search(r"Predicted from 2[0-5] similar shipments", text)
