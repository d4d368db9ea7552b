"""A parcel's journey as the delivery estimate sees it (pure): its scans up to the first
delivery attempt, each read as a stage, and what is known at each of them.

The first delivery attempt (delivered, attempted, or at a pickup point) is the truth an
estimate is judged on, as the industry does: a parcel the driver brought on Tuesday was on
time for a Tuesday estimate, even if the shopper was out and it was delivered on Wednesday.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime

from suivi_projections.domain.eta import lane_class, lane_of, utc_date
from suivi_projections.domain.eta_calendar import days_between
from suivi_schemas import Reason, ShipmentStatus

S = ShipmentStatus
ATTEMPTS = frozenset({S.DELIVERED, S.DELIVERY_ATTEMPT_FAILED, S.AVAILABLE_FOR_PICKUP})
# Scans that say nothing about the way yet (a label, an unknown number): no prediction.
BEFORE_PICKUP = frozenset({S.PENDING, S.INFO_RECEIVED})
# After these, no delivery is coming: the journey ends without an attempt.
NO_ATTEMPT = frozenset(
    {S.RETURNING_TO_SENDER, S.RETURNED_TO_SENDER, S.LOST, S.CANCELLED, S.EXPIRED}
)
STAGES = ("pickup", "transit", "arrived", "customs", "exception", "out_for_delivery")
LATE_HOUR = 17  # a scan from this UTC hour on is mostly moved on the next day


@dataclass(frozen=True, slots=True)
class Scan:
    at: datetime
    status: ShipmentStatus
    country: str | None = None
    reason: Reason | None = None


@dataclass(frozen=True, slots=True)
class Situation:
    """What is known at one scan: the parcel, where it stands, when, and since when."""

    carrier: str
    service: str | None
    origin: str | None
    destination: str | None
    stage: str
    at: datetime
    elapsed: int  # the carrier's delivery days since pickup
    # The carrier's own estimate then, as delivery days from this scan's day (-1: already
    # passed; None: the carrier gave none).
    promised: int | None = None

    @property
    def day(self) -> date:
        return utc_date(self.at)

    @property
    def late(self) -> bool:
        return self.at.hour >= LATE_HOUR

    @property
    def lane(self) -> str:
        return lane_of(self.origin, self.destination) or "?"

    @property
    def lane_class(self) -> str:
        return lane_class(self.origin, self.destination) or "?"


def stage_of(scan: Scan, first: bool, international: bool, destination: str | None) -> str:
    if scan.status is S.OUT_FOR_DELIVERY:
        return "out_for_delivery"
    if scan.status is S.EXCEPTION:
        return "customs" if scan.reason is Reason.CUSTOMS else "exception"
    if first:
        return "pickup"
    if international and scan.country and destination and scan.country == destination:
        return "arrived"
    return "transit"


@dataclass(frozen=True, slots=True)
class Journey:
    """One parcel; `attempted_at` is None while no attempt is known (or none will come)."""

    carrier: str
    service: str | None
    origin: str | None
    destination: str | None
    scans: tuple[Scan, ...]  # in time order
    attempted_at: datetime | None = None
    # The carrier's own estimates as they came: (when given, last day promised), oldest first.
    carrier_estimates: tuple[tuple[datetime, date], ...] = ()

    @property
    def attempt_day(self) -> date | None:
        return utc_date(self.attempted_at) if self.attempted_at else None

    def situations(self) -> Iterator[Situation]:
        """What was known at each scan from pickup on, up to (not including) the attempt."""
        international = lane_class(self.origin, self.destination) == "international"
        pickup: date | None = None
        for scan in self.scans:
            if self.attempted_at is not None and scan.at >= self.attempted_at:
                return
            if scan.status in ATTEMPTS or scan.status in NO_ATTEMPT:
                return
            if scan.status in BEFORE_PICKUP:
                continue
            first = pickup is None
            day = utc_date(scan.at)
            if pickup is None:
                pickup = day
            promise = self.carrier_estimate_at(scan.at)
            promised = None
            if promise is not None:  # in the carrier's own weekdays: it may not know holidays
                promised = -1 if promise < day else days_between(self.carrier, None, day, promise)
            yield Situation(
                carrier=self.carrier,
                service=self.service,
                origin=self.origin,
                destination=self.destination,
                stage=stage_of(scan, first, international, self.destination),
                at=scan.at,
                elapsed=days_between(self.carrier, self.destination, pickup, day),
                promised=promised,
            )

    def carrier_estimate_at(self, at: datetime) -> date | None:
        """The carrier's estimate as known at `at` (the newest given by then)."""
        known = [day for given, day in self.carrier_estimates if given <= at]
        return known[-1] if known else None

    def remaining(self, situation: Situation) -> int | None:
        """Delivery days from the situation's day to the first attempt (None: no attempt)."""
        if self.attempt_day is None:
            return None
        return days_between(self.carrier, self.destination, situation.day, self.attempt_day)
