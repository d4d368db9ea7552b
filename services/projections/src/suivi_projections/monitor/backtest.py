"""`suivi-eta-backtest`: how good are the predicted delivery windows on a delivered history?

Replays the history in pickup order; each shipment is predicted at its pickup from only the
shipments delivered strictly before that instant, then compared with its actual delivery date.
The naive baseline predicts the median transit of every shipment known then (all carriers
and lanes). Errors are in calendar days, what the shopper lives through; both are measured on
the same shipments (those the model could predict).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

import asyncpg

from suivi_infra.settings import PostgresSettings
from suivi_projections.domain.eta import (
    Key,
    Prediction,
    Sample,
    Tally,
    add_delivery_days,
    delivery_weekdays,
    lane_of,
    level_keys,
    utc_date,
    window,
)
from suivi_projections.monitor import eta_store


@dataclass(frozen=True)
class Replayed:
    """One shipment as predicted at its pickup; the dates are None when nothing was known."""

    sample: Sample
    prediction: Prediction | None
    likeliest: date | None  # the model's point estimate: the median transit
    baseline: date | None  # the overall median transit known then


def replay(samples: Iterable[Sample], min_samples: int = 20) -> Iterator[Replayed]:
    by_pickup = sorted(samples, key=lambda s: s.pickup_at)
    by_delivery = sorted(by_pickup, key=lambda s: s.delivered_at)
    tallies: dict[Key, Tally] = {}
    overall = Tally()
    known = 0
    for s in by_pickup:
        while known < len(by_delivery) and by_delivery[known].delivered_at < s.pickup_at:
            done = by_delivery[known]
            days = done.transit_days
            for _, key in level_keys(done.carrier, done.service, done.origin, done.destination):
                tallies.setdefault(key, Tally()).add(days)
            overall.add(days)
            known += 1
        start = utc_date(s.pickup_at)
        for level, key in level_keys(s.carrier, s.service, s.origin, s.destination):
            tally = tallies.get(key)
            if tally is not None and tally.total >= min_samples:
                stats = tally.stats()
                yield Replayed(
                    s,
                    window(s.carrier, s.pickup_at, level, stats),
                    add_delivery_days(s.carrier, start, stats.p50),
                    add_delivery_days(s.carrier, start, overall.percentile(50)),
                )
                break
        else:
            yield Replayed(s, None, None, None)


@dataclass(frozen=True)
class BacktestReport:
    shipments: int = 0
    predicted: int = 0
    inside: int = 0  # delivered within [earliest, latest]
    abs_error_days: int = 0  # sum over the predicted shipments, calendar days
    window_days: int = 0  # sum of the windows' widths, calendar days, both ends included
    baseline_inside: int = 0  # delivered on the baseline's day
    baseline_abs_error_days: int = 0
    by_level: dict[str, int] = field(default_factory=dict)

    @property
    def unpredictable(self) -> int:
        return self.shipments - self.predicted

    def _per_predicted(self, total: int) -> float:
        return total / self.predicted if self.predicted else float("nan")

    @property
    def inside_share(self) -> float:
        return self._per_predicted(self.inside)

    @property
    def mae_days(self) -> float:
        return self._per_predicted(self.abs_error_days)

    @property
    def mean_window_days(self) -> float:
        return self._per_predicted(self.window_days)

    @property
    def baseline_inside_share(self) -> float:
        return self._per_predicted(self.baseline_inside)

    @property
    def baseline_mae_days(self) -> float:
        return self._per_predicted(self.baseline_abs_error_days)


def backtest(samples: Iterable[Sample], min_samples: int = 20) -> BacktestReport:
    shipments = predicted = inside = error = width = base_inside = base_error = 0
    levels: Counter[str] = Counter()
    for r in replay(samples, min_samples):
        shipments += 1
        if r.prediction is None or r.likeliest is None or r.baseline is None:
            continue
        actual = utc_date(r.sample.delivered_at)
        predicted += 1
        levels[r.prediction.level] += 1
        inside += r.prediction.earliest <= actual <= r.prediction.latest
        error += abs((actual - r.likeliest).days)
        width += (r.prediction.latest - r.prediction.earliest).days + 1
        base_inside += actual == r.baseline
        base_error += abs((actual - r.baseline).days)
    return BacktestReport(
        shipments, predicted, inside, error, width, base_inside, base_error, dict(levels)
    )


def format_report(report: BacktestReport, source: str) -> str:
    ratio = report.mae_days / report.baseline_mae_days if report.baseline_abs_error_days else 0
    levels = ", ".join(f"{name} {n}" for name, n in sorted(report.by_level.items()))
    if not report.predicted:
        return (
            f"ETA backtest on {report.shipments} delivered shipments ({source}): nothing could "
            f"be predicted (each level needs enough deliveries before a pickup); try "
            f"--generated N to see the method at work"
        )
    return "\n".join(
        [
            f"ETA backtest on {report.shipments} delivered shipments ({source})",
            f"  predicted at pickup     {report.predicted} (not predictable: "
            f"{report.unpredictable})",
            f"  by level                {levels or '-'}",
            f"  inside 25-75% window    {report.inside_share:.1%} "
            f"(mean width {report.mean_window_days:.2f} calendar days)",
            f"  MAE, calendar days      model {report.mae_days:.2f} (median date), "
            f"baseline {report.baseline_mae_days:.2f} (overall median), ratio {ratio:.2f}",
            f"  baseline on its day     {report.baseline_inside_share:.1%}",
        ]
    )


# Synthetic history: carrier → the countries it picks up in.
HOMES: dict[str, tuple[str, ...]] = {
    "usps": ("US",),
    "laposte": ("FR",),
    "ups": ("US", "DE", "FR"),
    "fedex": ("US", "GB"),
    "dhl": ("DE", "GB", "FR"),
}
COUNTRIES = ("US", "FR", "DE", "GB", "ES", "IT", "CA", "JP")
HISTORY_START = datetime(2024, 1, 1, tzinfo=UTC)


def _base_days(seed: int, carrier: str, lane: str, domestic: bool) -> int:
    lane_rng = random.Random(f"{seed}/{carrier}/{lane}")  # noqa: S311 - reproducible, not secret
    return lane_rng.randint(1, 3) if domestic else lane_rng.randint(4, 9)


def generate_history(n: int, seed: int) -> list[Sample]:
    """n delivered shipments picked up over 2024, in pickup order; deterministic per seed."""
    rng = random.Random(seed)  # noqa: S311 - reproducible sample data, nothing secret
    carriers = list(HOMES)
    history = []
    for _ in range(n):
        carrier = rng.choices(carriers, weights=[3, 2, 3, 2, 2])[0]
        origin = rng.choice(HOMES[carrier])
        domestic = rng.random() < 0.7
        destination = origin if domestic else rng.choice([c for c in COUNTRIES if c != origin])
        express = rng.random() < 0.25
        base = _base_days(seed, carrier, lane_of(origin, destination) or "", domestic)
        if express:
            base = max(1, base // 2)
        spread = [0, 1, 2, 3, 5] if domestic else [-2, -1, 0, 1, 2, 4, 7]
        weights = [45, 30, 13, 8, 4] if domestic else [8, 15, 30, 20, 14, 9, 4]
        days = max(1, base + rng.choices(spread, weights=weights)[0])
        day = (HISTORY_START + timedelta(days=rng.randrange(366))).date()
        while day.weekday() not in delivery_weekdays(carrier):
            day += timedelta(days=1)
        pickup = datetime.combine(day, time(rng.randint(8, 19), rng.randrange(60)), UTC)
        delivered_on = add_delivery_days(carrier, day, days)
        delivered = datetime.combine(delivered_on, time(rng.randint(8, 19), rng.randrange(60)), UTC)
        service = "express" if express else "ground"
        history.append(Sample(carrier, service, origin, destination, pickup, delivered))
    history.sort(key=lambda s: s.pickup_at)
    return history


async def _load(url: str, since: datetime) -> list[Sample]:
    conn = await asyncpg.connect(url)
    try:
        return await eta_store.load_samples(conn, since)
    finally:
        await conn.close()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="suivi-eta-backtest", description=__doc__)
    parser.add_argument("--generated", type=int, metavar="N", help="a synthetic history of N")
    parser.add_argument("--seed", type=int, default=0, help="of the synthetic history")
    parser.add_argument("--min-samples", type=int, default=20)
    parser.add_argument(
        "--window-days", type=int, default=365, help="delivered history read from PostgreSQL"
    )
    args = parser.parse_args(argv)
    if args.generated is not None:
        samples = generate_history(args.generated, args.seed)
        source = f"generated, seed {args.seed}"
    else:
        since = datetime.now(UTC) - timedelta(days=args.window_days)
        try:
            samples = asyncio.run(_load(PostgresSettings().database_url, since))
        except (OSError, asyncpg.PostgresError) as exc:
            print(f"suivi-eta-backtest: cannot read the history: {exc}", file=sys.stderr)
            return 1
        source = f"PostgreSQL, delivered in the last {args.window_days} days"
    print(format_report(backtest(samples, args.min_samples), source))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
