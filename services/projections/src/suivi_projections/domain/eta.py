"""Carriers' delivery weekdays, lanes and transit tallies (pure: no I/O), shared by the
delivery predictions (domain/eta_model.py, with public holidays: domain/eta_calendar.py), the
stall watch and the backtest's overall-median baseline.

Days are UTC calendar days (a parcel picked up late evening in California counts from the next
UTC day; the error is at most one day at either end, the same for learning and predicting).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

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
