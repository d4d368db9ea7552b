"""`suivi-eta-backtest`: how good are the delivery predictions, measured the industry's way?

Replays a history in time order: at every scan of every parcel the model predicts from only
the parcels whose first delivery attempt came strictly before that instant, and learns a
parcel once its attempt has happened. Judged on the first delivery attempt, in calendar days:
exact-day accuracy (likeliest day), window hit rate, mean window width, mean absolute error,
and coverage (parcels with a prediction), for the original prediction (at pickup), in transit,
at out for delivery and the latest one before the attempt; per carrier and per lane. Against
the overall-median baseline (the median transit of every parcel known then, from pickup,
whatever the carrier or lane: the naive estimate) and the carrier's own estimate as known at
each scan, on the parcels that had one. Sources: a generated history (monitor/eta_generate.py)
or this installation's read model (monitor/eta_store.py).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import ClassVar

import asyncpg

from suivi_infra.settings import PostgresSettings
from suivi_projections.domain.eta import Tally, add_delivery_days, delivery_days_between
from suivi_projections.domain.eta_journey import Journey, Situation
from suivi_projections.domain.eta_model import EtaModel, Prediction
from suivi_projections.monitor import eta_generate, eta_store
from suivi_projections.monitor.backtest_report import format_report


@dataclass(frozen=True, slots=True)
class Judged:
    """One prediction (None: nothing known yet) at one scan, and what came of it."""

    journey: Journey
    situation: Situation
    prediction: Prediction | None
    baseline: date | None
    carrier: date | None  # the carrier's estimate as known then
    actual: date
    moment: str  # "pickup", "transit", "out_for_delivery"
    latest: bool  # the parcel's last prediction before its attempt
    eve: bool  # its last prediction on a day before the attempt's day


def replay(journeys: Iterable[Journey], model: EtaModel | None = None) -> Iterator[Judged]:
    """Every scan of every attempted parcel, predicted from the past only."""
    model = model or EtaModel()
    attempted = [j for j in journeys if j.attempted_at is not None]
    asks: list[tuple[datetime, int, int, Situation, bool, bool, date]] = []
    for n, journey in enumerate(attempted):
        situations = list(journey.situations())
        before = [k for k, s in enumerate(situations) if s.day < (journey.attempt_day or s.day)]
        for k, s in enumerate(situations):
            last, eve = k == len(situations) - 1, bool(before) and k == before[-1]
            asks.append((s.at, n, k, s, last, eve, situations[0].day))
    asks.sort(key=lambda a: (a[0], a[1], a[2]))
    learned = sorted(range(len(attempted)), key=lambda n: attempted[n].attempted_at or _NEVER)
    overall = Tally()
    known = 0
    for at, n, k, situation, latest, eve, pickup in asks:
        while known < len(learned) and (attempted[learned[known]].attempted_at or _NEVER) < at:
            _learn(model, overall, attempted[learned[known]])
            known += 1
        journey = attempted[n]
        actual = journey.attempt_day
        assert actual is not None
        baseline = (
            add_delivery_days(journey.carrier, pickup, overall.percentile(50))
            if overall.total
            else None
        )
        moment = "pickup" if k == 0 else situation.stage
        moment = moment if moment in ("pickup", "out_for_delivery") else "transit"
        yield Judged(journey, situation, model.predict(situation), baseline,
                     journey.carrier_estimate_at(at), actual, moment, latest, eve)  # fmt: skip


_NEVER = datetime.max.replace(tzinfo=UTC)


def _learn(model: EtaModel, overall: Tally, journey: Journey) -> None:
    if not model.learn_journey(journey):
        return
    pickup, actual = next(journey.situations()).day, journey.attempt_day
    assert actual is not None
    overall.add(delivery_days_between(journey.carrier, pickup, actual))


class _Mean:
    """A `Score` field per another (by default per prediction made); NaN over nothing."""

    def __init__(self, total: str, *, per: str = "predicted") -> None:
        self.total, self.per = total, per

    def __get__(self, score: object, owner: type | None = None) -> float:
        n: int = getattr(score, self.per)
        return float(getattr(score, self.total)) / n if n else float("nan")


@dataclass
class Score:
    """Sums over judged predictions of one row of the report."""

    asked: int = 0
    predicted: int = 0
    exact: int = 0
    inside: int = 0
    width: int = 0
    error: int = 0
    baseline_error: int = 0
    baseline_exact: int = 0
    carrier_n: int = 0
    carrier_error: int = 0
    carrier_exact: int = 0
    model_error_on_carrier: int = 0

    def add(self, j: Judged) -> None:
        self.asked += 1
        p = j.prediction
        if p is None or j.baseline is None:
            return
        self.predicted += 1
        self.exact += p.likeliest == j.actual
        self.inside += p.earliest <= j.actual <= p.latest
        self.width += p.width_days
        error = abs((j.actual - p.likeliest).days)
        self.error += error
        self.baseline_error += abs((j.actual - j.baseline).days)
        self.baseline_exact += j.baseline == j.actual
        if j.carrier is not None:
            self.carrier_n += 1
            self.carrier_error += abs((j.actual - j.carrier).days)
            self.carrier_exact += j.carrier == j.actual
            self.model_error_on_carrier += error

    # Means and rates over the predictions made (NaN when there is none).
    coverage: ClassVar[_Mean] = _Mean("predicted", per="asked")
    exact_rate: ClassVar[_Mean] = _Mean("exact")
    hit_rate: ClassVar[_Mean] = _Mean("inside")
    mean_width: ClassVar[_Mean] = _Mean("width")
    mae: ClassVar[_Mean] = _Mean("error")
    baseline_mae: ClassVar[_Mean] = _Mean("baseline_error")
    baseline_exact_rate: ClassVar[_Mean] = _Mean("baseline_exact")
    # The same on the predictions made where the carrier gave its own estimate.
    carrier_mae: ClassVar[_Mean] = _Mean("carrier_error", per="carrier_n")
    carrier_exact_rate: ClassVar[_Mean] = _Mean("carrier_exact", per="carrier_n")
    model_mae_on_carrier: ClassVar[_Mean] = _Mean("model_error_on_carrier", per="carrier_n")

    @property
    def gain(self) -> float:
        """How much smaller the model's MAE is than the baseline's (0.4: 40% better)."""
        base = self.baseline_mae
        return 1 - self.mae / base if base and base == base else float("nan")


MOMENTS = ("pickup", "transit", "eve", "out_for_delivery", "latest")


@dataclass
class Backtest:
    parcels: int
    by_moment: dict[str, Score]
    by_carrier: dict[tuple[str, str], Score]  # (moment "pickup"/"latest", carrier)
    by_lane: dict[tuple[str, str], Score]


def backtest(journeys: Sequence[Journey], model: EtaModel | None = None) -> Backtest:
    by_moment = {m: Score() for m in MOMENTS}
    by_carrier: dict[tuple[str, str], Score] = {}
    by_lane: dict[tuple[str, str], Score] = {}
    for j in replay(journeys, model):
        rows = [j.moment] + (["latest"] if j.latest else []) + (["eve"] if j.eve else [])
        for moment in rows:
            by_moment[moment].add(j)
            if moment in ("pickup", "latest"):
                by_carrier.setdefault((moment, j.journey.carrier), Score()).add(j)
                lane = f"{j.journey.carrier} {j.situation.lane}"
                by_lane.setdefault((moment, lane), Score()).add(j)
    parcels = sum(1 for j in journeys if j.attempted_at is not None)
    return Backtest(parcels, by_moment, by_carrier, by_lane)


async def _load(url: str, since: datetime) -> list[Journey]:
    conn = await asyncpg.connect(url)
    try:
        return await eta_store.load_journeys(conn, since)
    finally:
        await conn.close()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="suivi-eta-backtest", description=__doc__)
    parser.add_argument("--generated", type=int, metavar="N", help="a generated history of N")
    parser.add_argument("--seed", type=int, default=1, help="of the generated history")
    parser.add_argument("--lanes", type=int, default=12, help="lanes shown (busiest first)")
    parser.add_argument("--window-days", type=int, default=365, help="history read from PostgreSQL")
    args = parser.parse_args(argv)
    if args.generated is not None:
        journeys = eta_generate.generate(args.generated, args.seed)
        source = f"generated (harder history), seed {args.seed}"
        targets = True
    else:
        since = datetime.now(UTC) - timedelta(days=args.window_days)
        try:
            journeys = asyncio.run(_load(PostgresSettings().database_url, since))
        except (OSError, asyncpg.PostgresError) as exc:
            print(f"suivi-eta-backtest: cannot read the history: {exc}", file=sys.stderr)
            return 1
        source = (
            f"this installation's read model, first attempts in the last {args.window_days} days"
        )
        targets = False
    print(format_report(backtest(journeys), source, lanes=args.lanes, targets_too=targets))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
