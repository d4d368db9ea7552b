"""The ETA backtest on generated histories: its figures, and that it never looks ahead."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from statistics import mean

import pytest

from suivi_projections.domain.eta import (
    Sample,
    TransitModel,
    add_delivery_days,
    delivery_weekdays,
    utc_date,
)
from suivi_projections.monitor.backtest import (
    backtest,
    format_report,
    generate_history,
    main,
    replay,
)

SIZE, SEED = 3000, 7


@pytest.fixture(scope="module")
def history() -> list[Sample]:
    return generate_history(SIZE, SEED)


def test_backtest_beats_the_overall_median(
    history: list[Sample], capsys: pytest.CaptureFixture[str]
) -> None:
    report = backtest(history)
    with capsys.disabled():
        print(f"\n{format_report(report, f'generated, seed {SEED}')}")
    assert report.shipments == SIZE
    assert report.predicted > 0.9 * SIZE
    assert report.mae_days < 0.8 * report.baseline_mae_days
    assert 0.4 < report.inside_share < 0.9
    assert report.mean_window_days < 6
    assert report.inside_share > report.baseline_inside_share
    assert sum(report.by_level.values()) == report.predicted
    assert report.by_level["service+lane"] > report.predicted / 2


def test_generated_history_is_deterministic_and_plausible(history: list[Sample]) -> None:
    assert generate_history(200, SEED) == generate_history(200, SEED)
    assert generate_history(200, SEED) != generate_history(200, SEED + 1)
    assert history == sorted(history, key=lambda s: s.pickup_at)
    assert {s.carrier for s in history} == {"ups", "fedex", "dhl", "usps", "laposte"}
    assert all(s.delivered_at > s.pickup_at for s in history)
    for s in history:
        assert utc_date(s.delivered_at).weekday() in delivery_weekdays(s.carrier)
    span = history[-1].pickup_at - history[0].pickup_at
    assert span > timedelta(days=330)

    def mean_transit(international: bool, service: str) -> float:
        return mean(
            s.transit_days
            for s in history
            if (s.origin != s.destination) is international and s.service == service
        )

    assert mean_transit(False, "ground") < 4 < mean_transit(True, "ground")
    assert mean_transit(True, "express") < mean_transit(True, "ground")


def test_each_prediction_uses_only_what_was_delivered_before_the_pickup(
    history: list[Sample],
) -> None:
    replayed = list(replay(history))
    assert [r.sample for r in replayed] == history
    for r in replayed[::150]:
        s = r.sample
        known = [k for k in history if k.delivered_at < s.pickup_at]
        expected = TransitModel.learn(known).predict(
            s.carrier, s.service, s.origin, s.destination, s.pickup_at
        )
        assert r.prediction == expected


def test_a_slowdown_is_only_seen_once_slow_parcels_are_delivered() -> None:
    def parcel(pickup: date, days: int) -> Sample:
        delivered = add_delivery_days("ups", pickup, days)
        return Sample(
            "ups",
            "ground",
            "FR",
            "FR",
            datetime.combine(pickup, datetime.min.time(), UTC) + timedelta(hours=10),
            datetime.combine(delivered, datetime.min.time(), UTC) + timedelta(hours=14),
        )

    fast = [parcel(add_delivery_days("ups", date(2024, 1, 1), i), 1) for i in range(30)]
    slow = [parcel(add_delivery_days("ups", date(2024, 3, 1), i), 8) for i in range(30)]
    replayed = {r.sample: r for r in replay(fast + slow, min_samples=20)}
    first_slow_delivered = min(s.delivered_at for s in slow)
    early = [s for s in slow if s.pickup_at < first_slow_delivered]
    late = [s for s in slow if s.pickup_at > slow[20].delivered_at]
    assert early
    assert late
    for s in early:
        p = replayed[s].prediction
        assert p is not None
        assert p.samples == 30
        assert p.latest == add_delivery_days("ups", utc_date(s.pickup_at), 1)
    for s in late:
        p = replayed[s].prediction
        assert p is not None
        assert p.latest == add_delivery_days("ups", utc_date(s.pickup_at), 8)


def test_a_delivery_at_the_very_pickup_instant_is_not_yet_known() -> None:
    t0 = datetime(2024, 5, 6, 9, tzinfo=UTC)
    first = Sample("ups", None, "FR", "FR", t0, t0 + timedelta(days=1))
    same_instant = Sample("ups", None, "FR", "FR", first.delivered_at, t0 + timedelta(days=3))
    later = Sample(
        "ups", None, "FR", "FR", first.delivered_at + timedelta(seconds=1), t0 + timedelta(days=4)
    )
    results = {r.sample: r for r in replay([later, same_instant, first], min_samples=1)}
    assert results[first].prediction is None
    assert results[same_instant].prediction is None
    assert results[later].prediction is not None
    report = backtest([later, same_instant, first], min_samples=1)
    assert (report.shipments, report.predicted, report.unpredictable) == (3, 1, 2)


def test_cli_on_a_generated_history(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--generated", "2000", "--seed", "1"]) == 0
    out = capsys.readouterr().out
    with capsys.disabled():
        print(f"\n{out}")
    assert "ETA backtest on 2000 delivered shipments (generated, seed 1)" in out
    assert "inside 25-75% window" in out
    assert "baseline" in out
    assert "ratio" in out
