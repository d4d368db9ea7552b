"""Issue 21 on the real PostgreSQL, from events to the status page: the monitor predicts again
at each scan (one row per scan), says it in words, flags a parcel trending later than the
carrier's date (needs_attention before the date is missed), and shows a revised carrier date
with the first one."""

from __future__ import annotations

import json
from datetime import date, timedelta
from html import unescape
from uuid import uuid4

import asyncpg

from suivi_infra.testing import RecordingSink
from suivi_projections.db.migrate import migrate
from suivi_projections.domain.eta_journey import Journey, Scan
from suivi_projections.domain.eta_model import EtaModel
from suivi_projections.domain.orders import OrderStatus
from suivi_projections.domain.watch import day_over
from suivi_projections.monitor import eta_store
from suivi_projections.monitor.worker import Monitor, MonitorConfig
from suivi_projections.query.analytics import merchant_analytics
from suivi_projections.query.readmodel import PostgresReadModel
from suivi_projections.query.views import OrderView
from suivi_projections.testing.samples import T0, order_event, status_event
from suivi_projections.web.analytics import render_page
from suivi_projections.web.pages.render import render_private, translator
from suivi_projections.write.batch import apply_batch
from suivi_schemas import AlertKind, ShipmentAlert, ShipmentStatus

S = ShipmentStatus
H = timedelta(hours=1)


def history() -> EtaModel:
    """60 UPS parcels in France, each attempted 4 delivery days after pickup, one day after
    UPS's own date: the model learns UPS is a day late."""
    model = EtaModel()
    for k in range(60):
        at = T0 - timedelta(days=70) + k * 12 * H
        at = at.replace(hour=10)
        day = at.date()
        attempt = at + timedelta(days=6 if day.weekday() >= 1 else 4)
        promise = day + timedelta(days=5 if day.weekday() >= 2 else 3)
        scans = (Scan(at, S.IN_TRANSIT, "FR"),)
        journey = Journey("ups", None, "FR", "FR", scans, attempt, ((at, promise),))
        model.learn_journey(journey)
    return model


async def page(pool: asyncpg.Pool, lang: str = "en") -> tuple[OrderView, str]:
    token = await pool.fetchval("SELECT status_token FROM orders")
    view = await PostgresReadModel(pool).order_by_status_token(token)
    assert view is not None
    html = render_private(view, translator(view, lang=lang, accept=None)).body
    return view, " ".join(unescape(html).split())


async def test_prediction_words_trending_late_and_a_revised_date(pg_pool: asyncpg.Pool) -> None:
    async with pg_pool.acquire() as conn:
        await migrate(conn)
        await conn.execute(eta_store.SAVE_MODEL, eta_store.MODEL,
                           json.dumps(history().to_json()), 60, T0)  # fmt: skip
    order = order_event("acme", "21", shipments=[("ups", "1Z021", [("li-1", 1)])])
    # Monday 3 March: UPS says Thursday 6; its parcels come a delivery day after their date.
    picked = status_event("ups", "1Z021", T0, S.IN_TRANSIT, country="FR", eta=date(2025, 3, 6))
    async with pg_pool.acquire() as conn, conn.transaction():
        await apply_batch(conn, [picked], [order])
    clock = [T0 + H]
    sink = RecordingSink()
    monitor = Monitor(pg_pool, sink, MonitorConfig("alerts"), clock=lambda: clock[0])
    async with pg_pool.acquire() as conn:
        monitor.model = await eta_store.load_model(conn)
    await monitor.tick()
    view, text = await page(pg_pool)
    story = view.shipments[0].estimate_story
    assert story is not None and story.likeliest == date(2025, 3, 7) and story.trending_late
    assert view.status is OrderStatus.NEEDS_ATTENTION
    assert "Our prediction: Likely Friday 7 March 2025" in text
    assert "Running later than the carrier's date" in text
    _, french = await page(pg_pool, "fr")
    assert "Notre prévision" in french and "En retard sur la date du transporteur" in french

    # UPS moves its date to Friday without a new scan: no longer trending late, revised.
    revised = status_event("ups", "1Z021", T0, S.IN_TRANSIT, country="FR", eta=date(2025, 3, 7))
    revision = revised.model_copy(update={"revision_of": picked.event_id, "event_id": uuid4()})
    async with pg_pool.acquire() as conn, conn.transaction():
        await apply_batch(conn, [revision, revision], [])
    clock[0] = T0 + 2 * H
    await monitor.tick()
    view, text = await page(pg_pool)
    story = view.shipments[0].estimate_story
    assert story is not None and story.revisions == 1 and not story.trending_late
    assert view.status is OrderStatus.IN_TRANSIT
    assert "The carrier changed its date (first: Thursday 6 March" in text
    told = [ShipmentAlert.model_validate_json(r.value) for r in sink.sent]
    assert [(a.kind, a.tracking_number) for a in told] == [(AlertKind.REVISED, "1Z021")]
    assert len(view.shipments[0].timeline) == 1

    # A new scan: predicted again from it; one row per scan, the first kept as the original.
    moved = status_event("ups", "1Z021", T0 + 20 * H, S.IN_TRANSIT, country="FR")
    async with pg_pool.acquire() as conn, conn.transaction():
        await apply_batch(conn, [moved], [])
    clock[0] = T0 + 21 * H
    await monitor.tick()
    # Thursday over: not late, the carrier's date is Friday now (the late watch reads it).
    clock[0] = day_over(date(2025, 3, 6)) + H
    await monitor.tick()
    kinds = [ShipmentAlert.model_validate_json(r.value).kind for r in sink.sent]
    assert AlertKind.LATE not in kinds  # (stalled, it is: three silent days)
    assert kinds.count(AlertKind.REVISED) == 1  # told once, however often judged again
    rows = await pg_pool.fetch(
        "SELECT status, basis_at FROM eta_predictions ORDER BY basis_at, predicted_at"
    )
    assert [(r["status"], r["basis_at"]) for r in rows] == [
        ("pickup", T0),
        ("transit", T0 + 20 * H),
    ]
    original = await pg_pool.fetchval("SELECT original_predicted_latest FROM shipment_insights")
    assert original is not None

    # Delivered on Friday: the merchant's analytics judge both predictions and both dates.
    done = status_event("ups", "1Z021", T0 + 4 * 24 * H + 2 * H, S.DELIVERED, country="FR")
    async with pg_pool.acquire() as conn, conn.transaction():
        await apply_batch(conn, [done], [])
    found = await merchant_analytics(pg_pool, "acme", date(2025, 3, 1), date(2025, 3, 31))
    totals = {r.moment: r for r in found.eta_accuracy if r.carrier is None}
    first, last = totals["original"], totals["latest"]
    assert (first.parcels, first.predicted, first.exact_rate, first.mae) == (1, 1, 1.0, 0.0)
    assert (first.carrier_exact_rate, first.carrier_mae) == (0.0, 1.0)  # Thursday, first
    assert (last.carrier_exact_rate, last.carrier_mae) == (1.0, 0.0)  # Friday, revised
    html, _ = render_page("acme", "2025-03-01", "2025-03-31", found)
    assert "Delivery estimates, judged on the first attempt" in html and "100 %" in html
    assert {(r.carrier, r.lane) for r in found.eta_accuracy} == {
        (None, None),
        ("ups", None),
        ("ups", "FR>FR"),
    }
