"""A harder generated history for the ETA backtest (deterministic per seed).

Parcels of five carriers over 2024 on domestic and international lanes, each with its scans
up to the first delivery attempt and the carrier's own estimates. What makes it hard, and
hidden from the model (it sees only scans, places, times and past attempts):
- weekends and public holidays of the destination country (the `holidays` tables), and each
  carrier's own delivery weekdays (USPS and La Poste on Saturdays);
- a cut-off: parcels scanned from 17:00 leave the next delivery day;
- heavy tails: 1% lost then found (1-3 weeks late), customs holds on 10% of international
  parcels (1-5 days);
- day-to-day lateness as carriers publish it (on time: ~90% domestic, ~73% abroad);
- a seasonal peak (25 November - 24 December: a day more for half the parcels) and one
  carrier's disruption week (two days more for most of its parcels picked up then);
- 3% of out-for-delivery scans not followed by an attempt that day.
The carrier's estimate (on 70% of parcels) is given at pickup from its standard transit (it
plans for the peak, not for holidays), revised at a customs hold, during its disruption, and at
out for delivery.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

from suivi_projections.domain.eta import lane_of
from suivi_projections.domain.eta_calendar import add_days, is_delivery_day
from suivi_projections.domain.eta_journey import Journey, Scan
from suivi_schemas import Reason, ShipmentStatus

S = ShipmentStatus
HOMES: dict[str, tuple[str, ...]] = {
    "usps": ("US",),
    "laposte": ("FR",),
    "ups": ("US", "DE", "FR"),
    "fedex": ("US", "GB"),
    "dhl": ("DE", "GB", "FR"),
}
COUNTRIES = ("US", "FR", "DE", "GB", "ES", "IT", "CA", "JP")
START = date(2024, 1, 1)
PEAK = (date(2024, 11, 25), date(2024, 12, 24))
CUTOFF_HOUR = 17


def _at(day: date, hour: int, minute: int) -> datetime:
    return datetime.combine(day, time(hour, minute), UTC)


def _base_days(seed: int, carrier: str, lane: str, domestic: bool) -> int:
    rng = random.Random(f"{seed}/{carrier}/{lane}")  # noqa: S311 - reproducible, not secret
    return rng.randint(1, 3) if domestic else rng.randint(3, 7)


def disruption(seed: int) -> tuple[str, date]:
    """Which carrier is disrupted, and the first day of its bad week."""
    rng = random.Random(f"{seed}/disruption")  # noqa: S311
    return rng.choice(sorted(HOMES)), START + timedelta(days=rng.randrange(60, 300))


def _journey(rng: random.Random, seed: int, bad: tuple[str, date]) -> Journey:
    carrier = rng.choices(list(HOMES), weights=[3, 2, 3, 2, 2])[0]
    origin = rng.choice(HOMES[carrier])
    domestic = rng.random() < 0.65
    destination = origin if domestic else rng.choice([c for c in COUNTRIES if c != origin])
    express = rng.random() < 0.25
    service = "express" if express else "ground"
    base = _base_days(seed, carrier, lane_of(origin, destination) or "", domestic)
    if express:
        base = max(1, base // 2)
    day = START + timedelta(days=rng.randrange(366))
    while not is_delivery_day(carrier, origin, day):
        day += timedelta(days=1)
    hour = rng.choices([rng.randint(8, 16), rng.randint(17, 20)], weights=[65, 35])[0]
    pickup = _at(day, hour, rng.randrange(60))
    start = add_days(carrier, destination, day, 1) if hour >= CUTOFF_HOUR else day
    # Carriers' published on-time rates: ~90% domestic, lower abroad.
    if domestic:
        noise = rng.choices([0, 1, 2, 3], weights=[90, 7, 2, 1])[0]
    else:
        noise = rng.choices([-1, 0, 1, 2, 3], weights=[5, 68, 18, 6, 3])[0]
    extra = 0
    if PEAK[0] <= day <= PEAK[1] and rng.random() < 0.5:
        extra += 1
    disrupted = carrier == bad[0] and bad[1] <= day < bad[1] + timedelta(days=7)
    if disrupted and rng.random() < 0.8:
        extra += 2
    customs = 0 if domestic or rng.random() >= 0.1 else rng.randint(1, 5)
    lost = rng.randint(5, 15) if rng.random() < 0.01 else 0
    transit = max(1, base + noise) + extra + customs + lost
    attempt_day = add_days(carrier, destination, start, transit)
    ofd_missed = rng.random() < 0.03
    if ofd_missed:  # out for delivery, not reached: the attempt is the next delivery day
        ofd_day, attempt_day = attempt_day, add_days(carrier, destination, attempt_day, 1)
    else:
        ofd_day = attempt_day
    attempted = _at(attempt_day, rng.randint(9, 18), rng.randrange(60))

    scans = [Scan(pickup, S.IN_TRANSIT, origin)]
    promised = add_days(carrier, None, start, base + (1 if PEAK[0] <= day <= PEAK[1] else 0))
    # Not every parcel comes with the carrier's date (a label bought without one, a provider
    # that does not pass it on): the model must do without on those.
    gives = rng.random() < 0.7
    estimates = [(pickup, promised)]
    departure = _at(start, rng.randint(18, 22), rng.randrange(60))
    if departure > pickup and departure.date() < ofd_day:
        scans.append(Scan(departure, S.IN_TRANSIT, origin))
    if disrupted:
        estimates.append((departure, add_days(carrier, None, promised, 2)))
    if lost:  # silent, then found again at a hub of the origin
        found = _at(add_days(carrier, origin, start, lost), rng.randint(8, 20), 0)
        if found.date() < ofd_day:
            scans.append(Scan(found, S.IN_TRANSIT, origin))
    if not domestic:
        arrival_day = _before(carrier, destination, ofd_day, 1 + customs)
        arrived = _at(arrival_day, rng.randint(1, 23), rng.randrange(60))
        if pickup < arrived and arrival_day < ofd_day:
            scans.append(Scan(arrived, S.IN_TRANSIT, destination))
            if customs:
                held = arrived + timedelta(hours=2)
                scans.append(Scan(held, S.EXCEPTION, destination, Reason.CUSTOMS))
                estimates.append((held, add_days(carrier, None, promised, customs)))
    elif transit >= 2:
        hub_day = _before(carrier, destination, ofd_day, 1)
        hub = _at(hub_day, rng.randint(0, 23), rng.randrange(60))
        if pickup < hub:
            scans.append(Scan(hub, S.IN_TRANSIT, destination))
    ofd = _at(ofd_day, rng.randint(6, 8), rng.randrange(60))
    if ofd > pickup:
        scans.append(Scan(ofd, S.OUT_FOR_DELIVERY, destination))
        estimates.append((ofd, ofd_day))
    scans.sort(key=lambda s: s.at)
    return Journey(carrier, service, origin, destination, tuple(scans), attempted,
                   tuple(sorted(estimates)) if gives else ())  # fmt: skip


def _before(carrier: str, country: str, day: date, n: int) -> date:
    """The n-th delivery day before `day` (walking back over the carrier's calendar)."""
    while n > 0:
        day -= timedelta(days=1)
        n -= is_delivery_day(carrier, country, day)
    return day


def generate(n: int, seed: int) -> list[Journey]:
    """n parcels picked up over 2024, in pickup order."""
    rng = random.Random(seed)  # noqa: S311 - reproducible sample data, nothing secret
    bad = disruption(seed)
    journeys = [_journey(rng, seed, bad) for _ in range(n)]
    journeys.sort(key=lambda j: j.scans[0].at)
    return journeys
