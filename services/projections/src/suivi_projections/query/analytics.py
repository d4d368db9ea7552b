"""Delivery analytics of one merchant over a range of days, computed in SQL on the read models.

Definitions (also stated on the page):
- a merchant's shipments are the generations its orders link to (`order_shipments` rows in
  state `active`; a parcel linked by several of its orders counts once, with the address of
  the newest order);
- days are UTC calendar days; the range `first_day..last_day` includes both days;
- start of a shipment: the monitor's `pickup_at`, else the merchant's `shipped_at`, else the
  first carrier event;
- delivered: the generation's current status is `delivered` (`shipments.delivered_at`, when
  its final run of delivered events began); delivery time = delivered_at - start, in days;
- *delivered* in range: delivery times, on-time rate, the daily series;
- *started* in range: exception and failed-attempt rates (a shipment with at least one such
  event in its generation's timeline, whenever it happened);
- on time: delivered (UTC day) on or before the promised last day (the first carrier
  estimate), else our predicted last day; deliveries with neither are counted apart;
- stall hotspots: stalled episodes *detected* in range, by status and by place (city,
  country) of the shipment's last event when detected.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

import asyncpg

from suivi_projections.query import eta_accuracy
from suivi_projections.query.eta_accuracy import EtaAccuracy

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

V = TypeVar("V", bound="DataclassInstance")
TOP_HOTSPOTS = 10
STATEMENT_TIMEOUT_MS = 15_000  # a web request's worth; the page is not a batch job
_TIMEOUT = "SELECT set_config('statement_timeout', $1, true)"

_LINKED = """
WITH linked AS (
    SELECT DISTINCT ON (l.carrier, l.tracking_number, l.generation)
        l.carrier, l.tracking_number, l.generation, l.shipped_at, o.shipping_address
    FROM orders o
    JOIN order_shipments l ON l.order_id = o.order_id AND l.state = 'active'
    WHERE o.merchant_id = $1
    ORDER BY l.carrier, l.tracking_number, l.generation, o.placed_at DESC, o.order_id DESC
), span AS (
    SELECT $2::date::timestamp AT TIME ZONE 'UTC' AS lo,
        ($3::date + 1)::timestamp AT TIME ZONE 'UTC' AS hi
)"""
_FACTS = """, facts AS (
    SELECT k.carrier, k.tracking_number, k.generation,
        -- A parcel handed to another carrier (issue 17) is delivered by its later leg: once.
        coalesce(s.delivered_at, (SELECT max(ls.delivered_at) FROM parcel_legs p
            JOIN parcel_legs q USING (parcel_carrier, parcel_tracking_number)
            JOIN shipments ls ON ls.carrier = q.carrier AND ls.tracking_number = q.tracking_number
            WHERE p.carrier = k.carrier AND p.tracking_number = k.tracking_number
                AND q.position > p.position)) AS delivered_at,
        coalesce(i.pickup_at, k.shipped_at, s.first_event_at) AS started_at,
        coalesce(i.promised_latest, i.predicted_latest) AS promised,
        coalesce(nullif(upper(btrim(k.shipping_address ->> 'country')), ''),
            i.destination_country) AS country,
        CASE WHEN nullif(btrim(k.shipping_address ->> 'country'), '') IS NOT NULL
            THEN nullif(btrim(k.shipping_address ->> 'region'), '') END AS region,
        s.first_event_at, s.first_event_id, s.last_event_at, s.last_event_id
    FROM linked k
    LEFT JOIN shipments s USING (carrier, tracking_number, generation)
    LEFT JOIN shipment_insights i USING (carrier, tracking_number, generation)
)"""
_DELIVERED = """, delivered AS (
    SELECT f.carrier, f.country, f.region, f.promised,
        (f.delivered_at AT TIME ZONE 'UTC')::date AS day,
        (extract(epoch FROM f.delivered_at - f.started_at) / 86400)::float8 AS days,
        (f.delivered_at AT TIME ZONE 'UTC')::date <= f.promised AS on_time
    FROM facts f CROSS JOIN span
    WHERE f.delivered_at >= span.lo AND f.delivered_at < span.hi
        AND f.started_at <= f.delivered_at
)"""


# GROUPING(carrier, country, region) is a bit mask of the columns *not* grouped by: 7 for the
# overall row, 3 per carrier, 5 per country, 4 per (country, region).
DELIVERY_STATS = (
    _LINKED
    + _FACTS
    + _DELIVERED
    + """
SELECT GROUPING(carrier, country, region) AS level, carrier, country, region,
    count(*) AS deliveries,
    round((percentile_cont(0.5) WITHIN GROUP (ORDER BY days))::numeric, 2)::float8 AS median_days,
    round((percentile_cont(0.9) WITHIN GROUP (ORDER BY days))::numeric, 2)::float8 AS p90_days,
    count(promised) AS with_estimate, count(*) - count(promised) AS without_estimate,
    count(*) FILTER (WHERE on_time) AS on_time,
    round(count(*) FILTER (WHERE on_time)::numeric / nullif(count(promised), 0), 4)::float8
        AS on_time_rate
FROM delivered
GROUP BY GROUPING SETS ((), (carrier), (country), (country, region))
HAVING GROUPING(region) = 1 OR region IS NOT NULL
ORDER BY GROUPING(carrier, country, region) = 7 DESC, GROUPING(carrier) ASC,
    CASE WHEN GROUPING(carrier) = 0 THEN count(*) END DESC, carrier,
    country NULLS LAST, region NULLS FIRST
"""
)

# Every day of the range, those without a delivery included (the chart's x axis).
DAILY = (
    _LINKED
    + _FACTS
    + _DELIVERED
    + """
SELECT d::date AS day, count(x.days) AS deliveries,
    round((percentile_cont(0.5) WITHIN GROUP (ORDER BY days))::numeric, 2)::float8 AS median_days
FROM generate_series($2::date, $3::date, interval '1 day') AS d
LEFT JOIN delivered x ON x.day = d::date
GROUP BY d
ORDER BY d
"""
)

RATES = (
    _LINKED  # noqa: S608 - constant fragments
    + _FACTS
    + """, started AS (
    SELECT f.carrier, coalesce(ev.exception, false) AS exception,
        coalesce(ev.failed, false) AS failed
    FROM facts f CROSS JOIN span
    LEFT JOIN LATERAL (
        SELECT bool_or(e.status = 'exception') AS exception,
            bool_or(e.status = 'delivery_attempt_failed') AS failed
        FROM shipment_events e
        WHERE e.carrier = f.carrier AND e.tracking_number = f.tracking_number
            AND (e.occurred_at, e.event_id) >= (f.first_event_at, f.first_event_id)
            AND (e.occurred_at, e.event_id) <= (f.last_event_at, f.last_event_id)
    ) ev ON true
    WHERE f.started_at >= span.lo AND f.started_at < span.hi
)
SELECT GROUPING(carrier) AS level, carrier, count(*) AS shipments,
    count(*) FILTER (WHERE exception) AS with_exception,
    count(*) FILTER (WHERE failed) AS with_failed_attempt,
    round(count(*) FILTER (WHERE exception)::numeric / nullif(count(*), 0), 4)::float8
        AS exception_rate,
    round(count(*) FILTER (WHERE failed)::numeric / nullif(count(*), 0), 4)::float8
        AS failed_attempt_rate
FROM started
GROUP BY GROUPING SETS ((), (carrier))
ORDER BY level DESC, shipments DESC, carrier
"""
)

# Levels: 7 the total, 3 per status, 4 per place; the top $4 of each, and the total.
STALLS = (
    _LINKED  # noqa: S608 - constant fragments
    + """, stalls AS (
    SELECT a.episode_id, a.status, nullif(btrim(a.location ->> 'city'), '') AS city,
        nullif(upper(btrim(a.location ->> 'country')), '') AS country
    FROM shipment_alerts a
    JOIN linked k USING (carrier, tracking_number, generation)
    CROSS JOIN span
    WHERE a.kind = 'stalled' AND a.detected_at >= span.lo AND a.detected_at < span.hi
), counted AS (
    SELECT GROUPING(status, city, country) AS level, status, city, country,
        count(DISTINCT episode_id) AS stalls
    FROM stalls
    GROUP BY GROUPING SETS ((), (status), (city, country))
), ranked AS (
    SELECT *, row_number() OVER (PARTITION BY level
        ORDER BY stalls DESC, status, country NULLS LAST, city NULLS LAST) AS rank
    FROM counted
)
SELECT level, status, city, country, stalls FROM ranked WHERE rank <= $4 OR level = 7
ORDER BY level DESC, rank
"""
)


@dataclass(frozen=True, slots=True)
class DeliveryTimes:
    """Deliveries of a group: days from start to delivery, and how many came on time."""

    deliveries: int
    median_days: float | None
    p90_days: float | None
    with_estimate: int
    without_estimate: int
    on_time: int
    on_time_rate: float | None  # on_time / with_estimate


@dataclass(frozen=True, slots=True)
class CarrierTimes(DeliveryTimes):
    carrier: str


@dataclass(frozen=True, slots=True)
class RegionTimes(DeliveryTimes):
    """A country (`region` None: the whole country) or one of its regions; None: unknown."""

    country: str | None
    region: str | None


@dataclass(frozen=True, slots=True)
class Rates:
    """Shipments started in range, and how many met an exception or a failed attempt."""

    shipments: int
    with_exception: int
    with_failed_attempt: int
    exception_rate: float | None
    failed_attempt_rate: float | None


@dataclass(frozen=True, slots=True)
class CarrierRates(Rates):
    carrier: str


@dataclass(frozen=True, slots=True)
class StallStatus:
    status: str
    stalls: int


@dataclass(frozen=True, slots=True)
class StallPlace:
    city: str | None
    country: str | None
    stalls: int


@dataclass(frozen=True, slots=True)
class DailyPoint:
    day: date
    deliveries: int
    median_days: float | None


@dataclass(frozen=True, slots=True)
class MerchantAnalytics:
    merchant_id: str
    first_day: date
    last_day: date  # included
    deliveries: DeliveryTimes
    by_carrier: tuple[CarrierTimes, ...]
    by_region: tuple[RegionTimes, ...]
    rates: Rates
    rates_by_carrier: tuple[CarrierRates, ...]
    stalled_episodes: int
    stall_statuses: tuple[StallStatus, ...]
    stall_places: tuple[StallPlace, ...]
    daily: tuple[DailyPoint, ...]
    # Delivery-estimate accuracy on the first attempt (issue 21: query/eta_accuracy.py).
    eta_accuracy: tuple[EtaAccuracy, ...] = ()


class AnalyticsSource(Protocol):
    """What the analytics routes read; `PostgresAnalytics` in production, fakes in tests."""

    async def merchant_analytics(
        self, merchant_id: str, first_day: date, last_day: date
    ) -> MerchantAnalytics: ...


class PostgresAnalytics:
    """`AnalyticsSource` over the API's pool (made in its lifespan)."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def merchant_analytics(
        self, merchant_id: str, first_day: date, last_day: date
    ) -> MerchantAnalytics:
        return await merchant_analytics(self.pool, merchant_id, first_day, last_day)


def _view(cls: type[V], row: Mapping[str, Any]) -> V:
    return cls(**{f.name: row[f.name] for f in dataclasses.fields(cls)})


async def merchant_analytics(
    db: Any, merchant_id: str, first_day: date, last_day: date, *, top: int = TOP_HOTSPOTS
) -> MerchantAnalytics:
    """Every figure of one merchant over `first_day..last_day` (both included), read in one
    repeatable-read snapshot so they agree. `db`: an asyncpg pool or connection."""
    if first_day > last_day:
        raise ValueError("first_day is after last_day")
    if isinstance(db, asyncpg.Pool):
        async with db.acquire() as conn:
            return await merchant_analytics(conn, merchant_id, first_day, last_day, top=top)
    if db.is_in_transaction():
        return await _read(db, merchant_id, first_day, last_day, top)
    async with db.transaction(isolation="repeatable_read", readonly=True):
        await db.execute(_TIMEOUT, str(STATEMENT_TIMEOUT_MS))
        return await _read(db, merchant_id, first_day, last_day, top)


async def _read(
    conn: Any, merchant_id: str, first_day: date, last_day: date, top: int
) -> MerchantAnalytics:
    args = (merchant_id, first_day, last_day)
    times = await conn.fetch(DELIVERY_STATS, *args)
    rates = await conn.fetch(RATES, *args)
    stalls = await conn.fetch(STALLS, *args, top)
    daily = await conn.fetch(DAILY, *args)
    return MerchantAnalytics(
        merchant_id=merchant_id,
        first_day=first_day,
        last_day=last_day,
        deliveries=_view(DeliveryTimes, times[0]),
        by_carrier=tuple(_view(CarrierTimes, r) for r in times if r["level"] == 3),
        by_region=tuple(_view(RegionTimes, r) for r in times if r["level"] in (4, 5)),
        rates=_view(Rates, rates[0]),
        rates_by_carrier=tuple(_view(CarrierRates, r) for r in rates[1:]),
        stalled_episodes=next((r["stalls"] for r in stalls if r["level"] == 7), 0),
        stall_statuses=tuple(_view(StallStatus, r) for r in stalls if r["level"] == 3),
        stall_places=tuple(_view(StallPlace, r) for r in stalls if r["level"] == 4),
        daily=tuple(_view(DailyPoint, r) for r in daily),
        eta_accuracy=await eta_accuracy.read(conn, merchant_id, first_day, last_day),
    )
