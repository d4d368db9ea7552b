"""Late on the merchant's promise, on the real PostgreSQL (issue 21): a parcel whose order
promised a day earlier than the carrier's date gets one `late` alert once that day is over
everywhere, none before, none again on re-runs; a later promise or the delivery ends it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

import asyncpg

from suivi_infra.testing import RecordingSink
from suivi_projections.domain.watch import day_over
from suivi_projections.monitor.worker import Monitor, MonitorConfig
from suivi_projections.testing.samples import T0, order_event, status_event
from suivi_projections.write.batch import apply_batch
from suivi_schemas import (
    OrderEvent,
    PromiseSource,
    ShipmentAlert,
    ShipmentStatus,
    ShipmentStatusEvent,
)

S = ShipmentStatus
H = timedelta(hours=1)
SHOP, CARRIER = date(2025, 3, 5), date(2025, 3, 7)  # T0 is Monday 3 March
TOPIC = "alerts"


def promising(number: str, tracking: str, day: date | None, at: datetime) -> OrderEvent:
    event = order_event("acme", number, updated_at=at, shipments=[("ups", tracking, [])])
    return event.model_copy(update={"promised_delivery_date": day})


def scan(tracking: str, at: datetime, status: ShipmentStatus = S.IN_TRANSIT) -> ShipmentStatusEvent:
    return status_event("ups", tracking, at, status, city="Paris", country="FR", eta=CARRIER)


async def apply(
    pool: asyncpg.Pool, statuses: Sequence[ShipmentStatusEvent], orders: Sequence[OrderEvent]
) -> None:
    async with pool.acquire() as conn, conn.transaction():
        await apply_batch(conn, statuses, orders)


class Watch:
    """Monitors sharing one clock and one sink, a new one (a restart) at each tick."""

    def __init__(self, pool: asyncpg.Pool, now: datetime) -> None:
        self.pool, self.now, self.sink = pool, now, RecordingSink()

    async def tick(self, at: datetime) -> list[ShipmentAlert]:
        self.now, seen = at, len(self.sink.sent)
        monitor = Monitor(self.pool, self.sink, MonitorConfig(TOPIC), clock=lambda: self.now)
        await monitor.tick()
        return [ShipmentAlert.model_validate_json(p.value) for p in self.sink.sent[seen:]]


def late_kinds(alerts: Sequence[ShipmentAlert]) -> list[tuple[str, str, str | None]]:
    return [(a.tracking_number, a.kind.value, a.detail) for a in alerts if a.kind != "stalled"]


async def test_one_late_alert_when_the_shops_earlier_day_is_over(pool: asyncpg.Pool) -> None:
    # Scans keep it from stalling meanwhile (3 days domestic): only the late watch speaks.
    await apply(pool, [scan("1ZP1", T0), scan("1ZP1", T0 + 2 * 24 * H)],
                [promising("P1", "1ZP1", SHOP, T0)])  # fmt: skip
    watch = Watch(pool, T0 + H)
    assert late_kinds(await watch.tick(T0 + 2 * 24 * H + H)) == []
    due = await pool.fetchval("SELECT due_at FROM shipment_insights")
    assert due == day_over(SHOP)  # judged again when the shop's day ends, without a scan
    assert late_kinds(await watch.tick(day_over(SHOP) - timedelta(seconds=1))) == []

    (late,) = await watch.tick(day_over(SHOP))
    assert (late.kind, late.tracking_number, late.status) == ("late", "1ZP1", S.IN_TRANSIT)
    assert (late.promise_source, late.promised_date) == (PromiseSource.MERCHANT, SHOP)
    assert late.expected_by == day_over(SHOP)
    assert late.detail == "not delivered by the shop's promised day of 2025-03-05"
    # Re-runs, restarts, the row forced due again, the carrier's day over too: nothing more.
    assert await watch.tick(day_over(SHOP)) == []
    await pool.execute("UPDATE shipment_insights SET due_at = '-infinity'")
    assert late_kinds(await watch.tick(day_over(SHOP) + H)) == []
    await pool.execute("UPDATE shipment_insights SET due_at = '-infinity'")
    assert late_kinds(await watch.tick(day_over(CARRIER))) == []
    stored = await pool.fetch("SELECT event_id, kind FROM shipment_alerts WHERE kind = 'late'")
    assert [(r["event_id"], r["kind"]) for r in stored] == [(late.event_id, "late")]
    open_ = await pool.fetchval("SELECT late_episode FROM shipment_insights")
    assert open_ == late.episode_id


async def test_a_later_promise_recovers_and_the_carriers_day_is_judged_then(
    pool: asyncpg.Pool,
) -> None:
    await apply(pool, [scan("1ZP2", T0), scan("1ZP2", T0 + 2 * 24 * H)],
                [promising("P2", "1ZP2", SHOP, T0)])  # fmt: skip
    watch = Watch(pool, T0 + H)
    (late,) = await watch.tick(day_over(SHOP))
    # A newer snapshot promises the 10th; an older one, arriving after, changes nothing.
    await apply(pool, [], [promising("P2", "1ZP2", date(2025, 3, 10), T0 + 2 * H)])
    await apply(pool, [], [promising("P2", "1ZP2", SHOP, T0 + H)])
    (recovered,) = await watch.tick(day_over(SHOP) + H)
    assert (recovered.kind, recovered.episode_id) == ("recovered", late.episode_id)
    assert recovered.detail == "new estimate 2025-03-07"  # the carrier's day is the earlier now
    assert await pool.fetchval("SELECT late_episode FROM shipment_insights") is None
    # The carrier's day missed in turn: a late episode of its own, once.
    (carrier,) = late_kinds(await watch.tick(day_over(CARRIER)))
    assert carrier == ("1ZP2", "late", "not delivered by the carrier's estimate of 2025-03-07")
    assert late_kinds(await watch.tick(day_over(CARRIER) + H)) == []


async def test_delivery_ends_a_late_on_the_shops_day(pool: asyncpg.Pool) -> None:
    await apply(pool, [scan("1ZP3", T0), scan("1ZP3", T0 + 2 * 24 * H)],
                [promising("P3", "1ZP3", SHOP, T0)])  # fmt: skip
    watch = Watch(pool, T0 + H)
    (late,) = await watch.tick(day_over(SHOP))
    await apply(pool, [scan("1ZP3", day_over(SHOP) + H, S.DELIVERED)], [])
    (recovered,) = await watch.tick(day_over(SHOP) + 2 * H)
    assert (recovered.kind, recovered.episode_id) == ("recovered", late.episode_id)
    assert recovered.detail == "delivered" and recovered.status is S.DELIVERED
    assert await watch.tick(day_over(CARRIER)) == []
