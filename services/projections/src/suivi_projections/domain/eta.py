"""Predicted delivery windows from delivered history (pure: no I/O).

Transit is counted in the carrier's delivery days from the pickup date to the delivery date,
both taken in UTC (a parcel picked up late evening in California counts from the next UTC
day; the error is at most one day at either end, the same for learning and predicting).
Public holidays are not modelled.

A `TransitModel` keeps, per level, the 25th/50th/75th percentile of those transit days; a
prediction uses the most specific level with enough samples:
(carrier, service, lane) → (carrier, '*', lane) → (carrier, '*', domestic|international) →
(carrier, '*', '*').
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import NamedTuple

ANY = "*"
DOMESTIC = "domestic"
INTERNATIONAL = "international"
MON_FRI = frozenset(range(5))
MON_SAT = frozenset(range(6))

# Weekdays (Monday = 0) each carrier delivers on without a paid option. USPS delivers on
# Saturdays as a rule, and La Poste (Colissimo) too; UPS, FedEx and DHL deliver on Saturday
# only for a surcharge, so Monday to Friday. Nobody delivers on Sunday by default.
CALENDARS: dict[str, frozenset[int]] = {
    "usps": MON_SAT,
    "laposte": MON_SAT,
    "ups": MON_FRI,
    "fedex": MON_FRI,
    "dhl": MON_FRI,
}
DEFAULT_CALENDAR = MON_FRI


def delivery_weekdays(carrier: str) -> frozenset[int]:
    return CALENDARS.get(carrier, DEFAULT_CALENDAR)


def delivery_days_between(carrier: str, start: date, end: date) -> int:
    """How many of the carrier's delivery days d have start < d <= end (same day: 0)."""
    days = (end - start).days
    if days <= 0:
        return 0
    weekdays = delivery_weekdays(carrier)
    weeks, rest = divmod(days, 7)
    first = start.weekday()
    return weeks * len(weekdays) + sum((first + i) % 7 in weekdays for i in range(1, rest + 1))


def add_delivery_days(carrier: str, start: date, n: int) -> date:
    """The n-th delivery day of the carrier after start (n = 0: start itself)."""
    if n <= 0:
        return start
    weekdays = delivery_weekdays(carrier)
    # Every 7 days after start hold exactly len(weekdays) delivery days: skip whole weeks,
    # but keep the last week's days to walk, or a non-delivery start day would be the answer.
    weeks, rest = divmod(n - 1, len(weekdays))
    day = start + timedelta(weeks=weeks)
    rest += 1
    while rest:
        day += timedelta(days=1)
        rest -= day.weekday() in weekdays
    return day


def utc_date(at: datetime) -> date:
    """The UTC calendar date of an instant (a naive datetime is taken as UTC)."""
    return at.astimezone(UTC).date() if at.tzinfo is not None else at.date()


def _country(code: str | None) -> str | None:
    return (code.strip().upper() or None) if code else None


def lane_of(origin: str | None, destination: str | None) -> str | None:
    """'FR>DE' when both countries are known, else None."""
    o, d = _country(origin), _country(destination)
    return f"{o}>{d}" if o and d else None


def lane_class(origin: str | None, destination: str | None) -> str | None:
    """'domestic' or 'international' when both countries are known, else None."""
    o, d = _country(origin), _country(destination)
    if not (o and d):
        return None
    return DOMESTIC if o == d else INTERNATIONAL


def _service(service: str | None) -> str | None:
    return (service.strip().casefold() or None) if service else None


Key = tuple[str, str, str]  # (carrier, service or '*', lane or class or '*')


def level_keys(
    carrier: str, service: str | None, origin: str | None, destination: str | None
) -> list[tuple[str, Key]]:
    """The levels a shipment belongs to, most specific first, each as (level name, key)."""
    svc, lane = _service(service), lane_of(origin, destination)
    cls = lane_class(origin, destination)
    keys: list[tuple[str, Key]] = []
    if svc is not None and lane is not None:
        keys.append(("service+lane", (carrier, svc, lane)))
    if lane is not None:
        keys.append(("lane", (carrier, ANY, lane)))
    if cls is not None:
        keys.append((cls, (carrier, ANY, cls)))
    keys.append(("carrier", (carrier, ANY, ANY)))
    return keys


@dataclass(frozen=True)
class Sample:
    """One delivered shipment."""

    carrier: str
    service: str | None
    origin: str | None
    destination: str | None
    pickup_at: datetime
    delivered_at: datetime

    @property
    def transit_days(self) -> int:
        return delivery_days_between(
            self.carrier, utc_date(self.pickup_at), utc_date(self.delivered_at)
        )


@dataclass(frozen=True)
class Stats:
    samples: int
    p25: int
    p50: int
    p75: int


@dataclass(frozen=True)
class Prediction:
    earliest: date
    latest: date
    samples: int
    level: str  # which fallback level answered: service+lane, lane, domestic, ..., carrier

    @property
    def detail(self) -> str:
        return f"predicted from {self.samples} similar shipments"


def window(carrier: str, pickup_at: datetime, level: str, stats: Stats) -> Prediction:
    start = utc_date(pickup_at)
    return Prediction(
        earliest=add_delivery_days(carrier, start, stats.p25),
        latest=add_delivery_days(carrier, start, stats.p75),
        samples=stats.samples,
        level=level,
    )


@dataclass
class Tally:
    """Counts of transit days; percentiles by nearest rank (the ceil(p·n/100)-th smallest)."""

    counts: list[int] = field(default_factory=list)
    total: int = 0

    def add(self, days: int) -> None:
        if days >= len(self.counts):
            self.counts.extend([0] * (days + 1 - len(self.counts)))
        self.counts[days] += 1
        self.total += 1

    def percentile(self, p: int) -> int:
        rank = max(1, -(-p * self.total // 100))
        seen = 0
        for days, count in enumerate(self.counts):
            seen += count
            if seen >= rank:
                return days
        raise ValueError("percentile of an empty tally")

    def stats(self) -> Stats:
        return Stats(self.total, self.percentile(25), self.percentile(50), self.percentile(75))


class TransitRow(NamedTuple):
    """One row of the `transit_times` table."""

    carrier: str
    service: str
    lane: str
    samples: int
    p25_days: int
    p50_days: int
    p75_days: int


class TransitModel:
    def __init__(self, stats: dict[Key, Stats], min_samples: int = 20) -> None:
        self.stats = stats
        self.min_samples = min_samples

    @classmethod
    def learn(cls, samples: Iterable[Sample], min_samples: int = 20) -> TransitModel:
        tallies: dict[Key, Tally] = {}
        for s in samples:
            days = s.transit_days
            for _, key in level_keys(s.carrier, s.service, s.origin, s.destination):
                tallies.setdefault(key, Tally()).add(days)
        return cls({key: t.stats() for key, t in tallies.items()}, min_samples)

    def lookup(
        self, carrier: str, service: str | None, origin: str | None, destination: str | None
    ) -> tuple[str, Stats] | None:
        """The most specific level with at least min_samples, as (level name, stats)."""
        for level, key in level_keys(carrier, service, origin, destination):
            stats = self.stats.get(key)
            if stats is not None and stats.samples >= self.min_samples:
                return level, stats
        return None

    def predict(
        self,
        carrier: str,
        service: str | None,
        origin: str | None,
        destination: str | None,
        pickup_at: datetime,
    ) -> Prediction | None:
        found = self.lookup(carrier, service, origin, destination)
        return None if found is None else window(carrier, pickup_at, *found)

    def rows(self) -> list[TransitRow]:
        """Every level (also those under min_samples), ordered by key."""
        return [
            TransitRow(*key, s.samples, s.p25, s.p50, s.p75)
            for key, s in sorted(self.stats.items())
        ]

    @classmethod
    def from_rows(cls, rows: Iterable[TransitRow], min_samples: int = 20) -> TransitModel:
        stats = {
            (r.carrier, r.service, r.lane): Stats(r.samples, r.p25_days, r.p50_days, r.p75_days)
            for r in rows
        }
        return cls(stats, min_samples)
