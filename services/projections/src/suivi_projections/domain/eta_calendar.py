"""Delivery days of a carrier in a country (pure): its delivery weekdays, without the country's
public holidays (the maintained `holidays` library's tables, no network).

A parcel's remaining transit is counted in these days from a scan to the first delivery
attempt: a Saturday scan of a Monday-to-Friday carrier is one day from Monday, and a French
parcel scanned on 14 July is not expected that day.
"""

from __future__ import annotations

import functools
from datetime import date, timedelta

import holidays

from suivi_projections.domain.eta import delivery_weekdays

# Public holidays known to the library's data for these years are what the model sees; a
# country the library does not know has none (weekdays still apply).
_MAX_STEP = 400


@functools.lru_cache(maxsize=512)
def _holidays(country: str, year: int) -> frozenset[date]:
    try:
        table = holidays.country_holidays(country, years=year)
    except NotImplementedError:
        return frozenset()
    return frozenset(table)


def is_holiday(country: str | None, day: date) -> bool:
    return bool(country) and day in _holidays(str(country).upper(), day.year)


@functools.lru_cache(maxsize=65536)
def is_delivery_day(carrier: str, country: str | None, day: date) -> bool:
    """The carrier delivers that day in that country (weekday, not a public holiday)."""
    return day.weekday() in delivery_weekdays(carrier) and not is_holiday(country, day)


def days_between(carrier: str, country: str | None, start: date, end: date) -> int:
    """How many delivery days d have start < d <= end (0 when end <= start)."""
    n, day = 0, start
    while day < end:
        day += timedelta(days=1)
        n += is_delivery_day(carrier, country, day)
    return n


@functools.lru_cache(maxsize=262144)
def add_days(carrier: str, country: str | None, start: date, n: int) -> date:
    """The n-th delivery day after start (n <= 0: start itself)."""
    day = start
    for _ in range(_MAX_STEP):
        if n <= 0:
            return day
        day += timedelta(days=1)
        n -= is_delivery_day(carrier, country, day)
    return day  # unreachable with any real calendar (a carrier delivers at least once a week)
