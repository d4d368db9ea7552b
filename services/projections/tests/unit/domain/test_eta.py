"""The pure ETA model: delivery calendars, lanes, percentiles, fallback levels, table rows."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from suivi_projections.domain.eta import (
    Prediction,
    Sample,
    TransitModel,
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


def at(day: date, hour: int = 12) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def shipped(
    days: int,
    carrier: str = "ups",
    service: str | None = "ground",
    origin: str | None = "FR",
    destination: str | None = "DE",
    pickup: date = MON,
) -> Sample:
    return Sample(
        carrier,
        service,
        origin,
        destination,
        at(pickup, 9),
        at(add_delivery_days(carrier, pickup, days)),
    )


def test_transit_days_are_delivery_days_between_utc_dates() -> None:
    # 19:30 in New York on Friday is Saturday in UTC: a UPS delivery on Monday is one day.
    new_york = timezone(timedelta(hours=-5))
    s = Sample("ups", None, "US", "US", datetime(2024, 3, 1, 19, 30, tzinfo=new_york), at(MON))
    assert s.transit_days == 1
    assert shipped(3, pickup=FRI).transit_days == 3


def test_percentiles_are_nearest_rank() -> None:
    days = [9, 1, 2, 3, 3, 2, 4, 5, 6, 3]  # sorted: 1 2 2 3 3 3 4 5 6 9
    model = TransitModel.learn([shipped(d) for d in days], min_samples=1)
    stats = model.stats[("ups", "ground", "FR>DE")]
    assert (stats.samples, stats.p25, stats.p50, stats.p75) == (10, 2, 3, 5)
    single = TransitModel.learn([shipped(4)], min_samples=1).stats[("ups", "*", "*")]
    assert (single.p25, single.p50, single.p75) == (4, 4, 4)


def test_prediction_window_counts_delivery_days_from_pickup() -> None:
    model = TransitModel.learn([shipped(1), shipped(1), shipped(3), shipped(3)], min_samples=4)
    p = model.predict("ups", "ground", "FR", "DE", at(FRI, 18))
    assert p == Prediction(MON, MON + timedelta(2), 4, "service+lane")
    assert p.detail == "predicted from 4 similar shipments"


def history() -> list[Sample]:
    """20 each: express FR>DE in 1 day, ground FR>ES in 5, ground FR>FR in 2, none in US."""
    return (
        [shipped(1, service="express") for _ in range(20)]
        + [shipped(5, destination="ES") for _ in range(20)]
        + [shipped(2, destination="FR") for _ in range(20)]
        + [shipped(8, origin=None) for _ in range(20)]
    )


def level(
    model: TransitModel, service: str | None, origin: str | None, destination: str | None
) -> tuple[str, int, int] | None:
    """The level that answered, its samples and its window's last day in delivery days."""
    p = model.predict("ups", service, origin, destination, at(MON))
    return None if p is None else (p.level, p.samples, delivery_days_between("ups", MON, p.latest))


def test_falls_back_from_the_most_specific_level_with_enough_samples() -> None:
    model = TransitModel.learn(history(), min_samples=20)
    assert level(model, "Express", "FR", "DE") == ("service+lane", 20, 1)  # service casefolded
    assert level(model, "ground", "FR", "DE") == ("lane", 20, 1)  # only express went there
    assert level(model, None, "FR", "ES") == ("lane", 20, 5)
    assert level(model, "ground", "FR", "IT") == ("international", 40, 5)
    assert level(model, "ground", "DE", "DE") == ("domestic", 20, 2)
    assert level(model, "ground", "US", None) == ("carrier", 80, 5)  # p75 of 20 each of 1, 2, 5, 8


def test_levels_under_min_samples_are_skipped() -> None:
    samples = history()[1:]  # 19 express FR>DE
    assert level(TransitModel.learn(samples, 20), "express", "FR", "DE") == ("international", 39, 5)
    assert level(TransitModel.learn(samples, 19), "express", "FR", "DE") == ("service+lane", 19, 1)


def test_no_prediction_without_enough_history() -> None:
    assert TransitModel.learn([]).predict("ups", "ground", "FR", "DE", at(MON)) is None
    model = TransitModel.learn(history(), min_samples=20)
    assert model.predict("fedex", "ground", "FR", "DE", at(MON)) is None
    assert (
        TransitModel.learn(history(), min_samples=81).predict("ups", None, None, None, at(MON))
        is None
    )


def test_rows_round_trip() -> None:
    model = TransitModel.learn(history(), min_samples=20)
    rows = model.rows()
    assert ("ups", "*", "*", 80, 1, 2, 5) in rows
    assert ("ups", "*", "international", 40, 1, 1, 5) in rows
    assert ("ups", "express", "FR>DE", 20, 1, 1, 1) in rows
    back = TransitModel.from_rows(rows, min_samples=20)
    assert back.rows() == rows
    for shipment in [("ground", "FR", "IT"), ("express", "FR", "DE"), (None, None, None)]:
        assert back.predict("ups", *shipment, at(FRI)) == model.predict("ups", *shipment, at(FRI))
