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
from suivi_projections.query.analytics_sql import DAILY, DELIVERY_STATS, RATES, STALLS
from suivi_projections.query.eta_accuracy import EtaAccuracy

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

V = TypeVar("V", bound="DataclassInstance")
TOP_HOTSPOTS = 10
STATEMENT_TIMEOUT_MS = 15_000  # a web request's worth; the page is not a batch job
_TIMEOUT = "SELECT set_config('statement_timeout', $1, true)"


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
