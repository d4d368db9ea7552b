"""The pure ETA model: delivery calendars, lanes, percentiles, fallback levels, table rows."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from suivi_projections.domain.eta import (
    Tally,
    add_delivery_days,
    delivery_days_between,
    lane_class,
    lane_of,
)

FRI = date(2024, 3, 1)  # a Friday
SAT, SUN, MON = FRI + timedelta(1), FRI + timedelta(2), FRI + timedelta(3)


@pytest.mark.parametrize(
    ("carrier", "start", "n", "expected"),
    [
        ("ups", FRI, 0, FRI),
        ("ups", FRI, 1, MON),
        ("fedex", FRI, 2, MON + timedelta(1)),
        ("dhl", SAT, 1, MON),
        ("usps", FRI, 1, SAT),
        ("laposte", SAT, 1, MON),
        ("laposte", FRI, 6, FRI + timedelta(7)),
        ("ups", SAT, 5, FRI + timedelta(7)),
        ("ups", SAT, 10, FRI + timedelta(14)),
        ("somebody", FRI, 1, MON),  # unknown carrier: Monday to Friday
    ],
)
def test_add_delivery_days_skips_the_carriers_days_off(
    carrier: str, start: date, n: int, expected: date
) -> None:
    assert add_delivery_days(carrier, start, n) == expected


def test_delivery_days_between_counts_only_delivery_days_after_start() -> None:
    assert delivery_days_between("ups", FRI, FRI) == 0
    assert delivery_days_between("ups", FRI, SAT) == 0
    assert delivery_days_between("ups", FRI, SUN) == 0
    assert delivery_days_between("ups", FRI, MON) == 1
    assert delivery_days_between("usps", FRI, SUN) == 1
    assert delivery_days_between("laposte", FRI, MON) == 2
    assert delivery_days_between("ups", MON, FRI) == 0  # end before start


@pytest.mark.parametrize("carrier", ["ups", "usps", "laposte", "unknown"])
def test_calendar_functions_agree_with_a_day_by_day_count(carrier: str) -> None:
    off = {"ups": {5, 6}, "usps": {6}, "laposte": {6}, "unknown": {5, 6}}[carrier]
    for offset in range(14):
        start = FRI + timedelta(offset)
        for span in range(40):
            end = start + timedelta(span)
            slow = sum((start + timedelta(i)).weekday() not in off for i in range(1, span + 1))
            assert delivery_days_between(carrier, start, end) == slow
        for n in range(1, 25):
            day = add_delivery_days(carrier, start, n)
            assert day.weekday() not in off
            assert delivery_days_between(carrier, start, day) == n
            assert delivery_days_between(carrier, start, day - timedelta(1)) == n - 1


def test_lanes() -> None:
    assert lane_of("fr", "DE") == "FR>DE"
    assert lane_of("FR", None) is None
    assert lane_of("", "DE") is None
    assert lane_class("FR", "fr") == "domestic"
    assert lane_class("FR", "DE") == "international"
    assert lane_class(None, "DE") is None


def test_percentiles_are_nearest_rank() -> None:
    tally = Tally()
    for days in [9, 1, 2, 3, 3, 2, 4, 5, 6, 3]:  # sorted: 1 2 2 3 3 3 4 5 6 9
        tally.add(days)
    assert (tally.total, tally.percentile(25), tally.percentile(50), tally.percentile(75)) == (
        10, 2, 3, 5,
    )  # fmt: skip
