"""Delivery predictions that move with the parcel (pure: no I/O, no clock).

At every scan the parcel's remaining delivery days (the carrier's delivery weekdays, without
the destination's public holidays: domain/eta_calendar.py) are predicted from the parcels
delivered before, as a distribution learned at levels from general to specific:

    any scan → stage → +carrier → +domestic/international → +lane → +service → +late scan →
    +elapsed days

Where the carrier gave an estimate still ahead, what is learned and predicted is the offset
from it (attempt - carrier's day, in delivery days): a carrier's habits carry over from lane to
lane, so a lane seen once already gets the carrier's date corrected by what is usual for it.

Each level is shrunk toward the one above it instead of being used only past a hard count:
p = a·(its own distribution) + (1 - a)·(the level above), a = n / (n + prior), so a lane seen
twice moves the estimate a little and a lane seen a thousand times decides it. Older
deliveries weigh less (half-life `half_life_days`), so a peak season or a slow month shows.

The window is the narrowest run of dates holding `coverage` of the distribution; the likeliest
day is its median (what minimises the mean absolute error). Confidence, 0..1: the likeliest
day's probability (the spread) times how much evidence stands behind it, evidence /
(evidence + prior) (the size).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from suivi_projections.domain.eta_calendar import add_days
from suivi_projections.domain.eta_journey import Journey, Situation

MAX_DAYS = 40  # remaining delivery days kept apart; more are counted as MAX_DAYS
LEVELS = ("any", "stage", "carrier", "class", "lane", "service", "late", "elapsed")
EARLY = 10  # offsets from the carrier's day are kept from -EARLY days on
Key = tuple[str, ...]


def chain(s: Situation, relative: bool) -> list[Key]:
    """The situation's keys, most general first, one per level of LEVELS: in days from the
    carrier's estimate (relative) or from the scan's day."""
    elapsed = str(min(s.elapsed, 5))
    service = (s.service or "?").casefold().replace("|", "/")  # "|" joins stored keys
    mode = "from-carrier" if relative else "days"
    late = "late" if s.late else "early"
    parts = (mode, f"{mode}:{s.stage}", s.carrier, s.lane_class, s.lane, service, late, elapsed)
    return [parts[: i + 1] for i in range(len(parts))]


def _relative(s: Situation) -> bool:
    return s.promised is not None and s.promised >= 0


def bucket(s: Situation, remaining: int, relative: bool) -> int:
    """The histogram cell of `remaining` delivery days for this situation."""
    cell = remaining - (s.promised or 0) + EARLY if relative else remaining
    return min(max(cell, 0), MAX_DAYS)


def remaining_of(s: Situation, cell: int, relative: bool) -> int:
    return max(0, cell - EARLY + (s.promised or 0)) if relative else cell


@dataclass(frozen=True, slots=True)
class Prediction:
    earliest: date
    likeliest: date
    latest: date
    confidence: float  # 0..1
    evidence: float  # effective number of similar deliveries behind it
    level: str  # the most specific level that had deliveries
    probability: float  # of the window, by the model

    @property
    def width_days(self) -> int:
        return (self.latest - self.earliest).days + 1

    @property
    def detail(self) -> str:
        return f"predicted from {self.evidence:.0f} similar deliveries"


@dataclass
class EtaModel:
    """Decayed histograms of remaining delivery days per level key."""

    half_life_days: float = 90.0
    prior: float = 20.0
    coverage: float = 0.8
    epoch: float | None = None  # days (Unix) of the first delivery learned: weights grow from it
    tables: dict[Key, list[float]] = field(default_factory=dict)

    def _growth(self, at: datetime) -> float:
        days = at.timestamp() / 86400
        if self.epoch is None:
            self.epoch = days
        return math.exp((days - self.epoch) * math.log(2) / self.half_life_days)

    def learn(self, situation: Situation, remaining: int, attempted_at: datetime) -> None:
        """One scan of a parcel whose first attempt came `remaining` delivery days later."""
        weight = self._growth(attempted_at)
        # Every parcel teaches the days from a scan; those with the carrier's date also the
        # offset from it (so parcels without one still learn from all the others).
        for relative in (False, True) if _relative(situation) else (False,):
            cell = bucket(situation, remaining, relative)
            for key in chain(situation, relative):
                table = self.tables.get(key)
                if table is None:
                    table = self.tables[key] = [0.0] * (MAX_DAYS + 2)  # last cell: the total
                table[cell] += weight
                table[-1] += weight

    def learn_journey(self, journey: Journey) -> int:
        """Every scan of a parcel whose first attempt is known; returns how many."""
        at, n = journey.attempted_at, 0
        if at is None:
            return 0
        for situation in journey.situations():
            remaining = journey.remaining(situation)
            if remaining is not None:
                self.learn(situation, remaining, at)
                n += 1
        return n

    def distribution(self, situation: Situation) -> tuple[list[float], float, str] | None:
        """(probabilities of 0..MAX_DAYS remaining delivery days, evidence, level) or None."""
        scale = self._growth(situation.at) if self.epoch is not None else 1.0
        relative = _relative(situation)
        p: list[float] | None = None
        evidence, level = 0.0, ""
        for name, key in zip(LEVELS, chain(situation, relative), strict=True):
            table = self.tables.get(key)
            if table is None or table[-1] <= 0:
                continue
            n = table[-1] / scale
            own = [w / table[-1] for w in table[:-1]]
            if p is None:
                p, evidence = own, n
            else:
                a = n / (n + self.prior)
                p = [a * x + (1 - a) * y for x, y in zip(own, p, strict=True)]
                evidence = a * n + (1 - a) * evidence
            level = name
        if p is None or evidence <= 0:
            return None
        by_days = [0.0] * (MAX_DAYS + 1)
        for cell, x in enumerate(p):
            by_days[min(remaining_of(situation, cell, relative), MAX_DAYS)] += x
        return by_days, evidence, level

    def predict(self, situation: Situation) -> Prediction | None:
        found = self.distribution(situation)
        if found is None:
            return None
        p, evidence, level = found
        days = [add_days(situation.carrier, situation.destination, situation.day, r)
                for r in range(len(p))]  # fmt: skip
        cumulative = [0.0]
        for x in p:
            cumulative.append(cumulative[-1] + x)
        median = next(r for r in range(len(p)) if cumulative[r + 1] >= 0.5 * cumulative[-1])
        best: tuple[int, float, int, int] | None = None
        j = 0
        target = self.coverage * cumulative[-1]
        for i in range(len(p)):
            j = max(j, i)
            while j < len(p) - 1 and cumulative[j + 1] - cumulative[i] < target:
                j += 1
            mass = cumulative[j + 1] - cumulative[i]
            if mass < target:
                break
            width = (days[j] - days[i]).days
            if best is None or (width, -mass) < (best[0], -best[1]):
                best = (width, mass, i, j)
        assert best is not None  # i = 0 always reaches the target
        _, mass, i, j = best
        day = min(max(median, i), j)
        # The spread (how much of the distribution falls on that very day) times the size of
        # the evidence: a sure lane with few deliveries, or many deliveries spread over a
        # week, both say less than many deliveries on the same day.
        confidence = p[day] * evidence / (evidence + self.prior)
        likeliest = days[day]
        return Prediction(days[i], likeliest, days[j], confidence, evidence, level, mass)

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready form (eta_store keeps it), without the weights' growth: normalised to
        the newest delivery so that they stay small numbers."""
        top = max((t[-1] for t in self.tables.values()), default=1.0) or 1.0
        return {
            "half_life_days": self.half_life_days,
            "prior": self.prior,
            "coverage": self.coverage,
            "epoch": self.epoch,
            "tables": [
                ["|".join(k), [round(w / top, 9) for w in t]] for k, t in self.tables.items()
            ],
            "scale": top,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> EtaModel:
        scale = float(data.get("scale", 1.0))
        tables = {tuple(k.split("|")): [w * scale for w in t] for k, t in data["tables"]}
        return cls(data["half_life_days"], data["prior"], data["coverage"], data["epoch"], tables)
