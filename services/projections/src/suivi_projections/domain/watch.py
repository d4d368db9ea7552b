"""Pure stall / late rules (no I/O): one shipment's facts → alerts to emit and its next check.

Stalled: not terminal, and no carrier event for longer than is normal for its carrier, its
current status and its lane (`Thresholds`: learned from history, else the defaults). The
episode is the silence after one particular event, so its id is derived from that event: a new
event ends it (`recovered`), and a later silence is a new episode.
Late: past the promised day and not delivered; that day is the earlier of the carrier's
estimated delivery day and the day the merchant promised on the parcel's orders (issue 21). The
day is over when it is over everywhere ("anywhere on Earth", UTC-12): the destination's time
zone is often unknown and calling a parcel late while its day is still running somewhere would
be wrong. The episode is derived from the promised day (and whose it is); a new promised day
that is not past ends it.
Only carrier (or aggregator) estimates and merchants' promises make a shipment late: a
predicted window is missed by a quarter of shipments by construction, too often to alarm anyone.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from suivi_projections.domain.eta import lane_class, lane_of
from suivi_schemas import (
    TERMINAL_STATUSES,
    AlertKind,
    EstimateSource,
    Location,
    PromiseSource,
    ShipmentStatus,
    Substatus,
)

_EPISODES = uuid.UUID("5b0f3c1e-7a53-4f0e-9d59-6a4c2f1d8e21")
ANYWHERE_ON_EARTH = timedelta(hours=12)  # the last time zone to finish a day is UTC-12
ANY = "*"
# Not late for delivery: waiting for the shopper at a pickup point (its silence is watched with
# the pickup-point threshold), or on its way back to the shop.
NEVER_LATE = frozenset({ShipmentStatus.AVAILABLE_FOR_PICKUP, ShipmentStatus.RETURNING_TO_SENDER})
# A parcel waiting at customs is its own situation (issue 17): customs waits are long and
# normal on international lanes, so their silences are learned apart from transit's.
CUSTOMS = "customs"
CUSTOMS_WAITS = frozenset({Substatus.CUSTOMS_PROCESSING, Substatus.CUSTOMS_HOLD})


def situation(status: ShipmentStatus, substatus: Substatus | None) -> str:
    """What a silence is judged by: the status, or `customs` while the parcel waits there."""
    if substatus in CUSTOMS_WAITS and status in (
        ShipmentStatus.IN_TRANSIT,
        ShipmentStatus.EXCEPTION,
    ):
        return CUSTOMS
    return status.value


def episode_id(kind: AlertKind, key: tuple[str, str, int], anchor: str) -> uuid.UUID:
    """Deterministic: every instance, every restart finds the same episode for the same facts."""
    return uuid.uuid5(_EPISODES, f"{kind.value}|{key[0]}|{key[1]}|{key[2]}|{anchor}")


def alert_event_id(episode: uuid.UUID, kind: AlertKind) -> uuid.UUID:
    return uuid.uuid5(episode, kind.value)


def day_over(day: date) -> datetime:
    """The instant `day` has ended in every time zone."""
    return datetime.combine(day + timedelta(days=1), time(), UTC) + ANYWHERE_ON_EARTH


@dataclass(frozen=True, slots=True)
class StallDefaults:
    """What "too long" means while history is thin."""

    domestic: timedelta = timedelta(days=3)
    international: timedelta = timedelta(
        days=7
    )  # also when the lane is unknown: fewer false alarms
    pickup_point: timedelta = timedelta(days=2)  # waiting at a pickup point before the final notice
    customs: timedelta = timedelta(days=7)  # waiting at customs, while history is thin
    minimum: timedelta = timedelta(hours=24)  # a learned threshold never goes below this
    maximum: timedelta = timedelta(days=30)

    def default(
        self,
        status: ShipmentStatus,
        origin: str | None,
        destination: str | None,
        substatus: Substatus | None = None,
    ) -> timedelta:
        if situation(status, substatus) == CUSTOMS:
            return self.customs
        if status is ShipmentStatus.AVAILABLE_FOR_PICKUP:
            return self.pickup_point
        if lane_class(origin, destination) == "domestic":
            return self.domestic
        return self.international


@dataclass(frozen=True, slots=True)
class Threshold:
    value: timedelta
    samples: int  # 0: a default
    lane: str  # the level it came from: 'FR>DE', 'domestic', 'international', '*' or 'default'


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Learned thresholds by (carrier, status, lane level), most specific level first."""

    learned: Mapping[tuple[str, str, str], tuple[timedelta, int]] = field(default_factory=dict)
    defaults: StallDefaults = field(default_factory=StallDefaults)

    def for_(
        self,
        carrier: str,
        status: ShipmentStatus,
        origin: str | None,
        destination: str | None,
        substatus: Substatus | None = None,
    ) -> Threshold:
        levels = [ANY]
        if (cls := lane_class(origin, destination)) is not None:
            levels[:0] = [lane_of(origin, destination) or ANY, cls]
        for lane in levels:
            found = self.learned.get((carrier, situation(status, substatus), lane))
            if found is not None:
                value = min(max(found[0], self.defaults.minimum), self.defaults.maximum)
                return Threshold(value, found[1], lane)
        default = self.defaults.default(status, origin, destination, substatus)
        return Threshold(default, 0, "default")


@dataclass(frozen=True, slots=True)
class Facts:
    """One generation as the monitor sees it now, with its open episodes."""

    carrier: str
    tracking_number: str
    generation: int
    status: ShipmentStatus | None
    last_event_id: uuid.UUID | None
    last_event_at: datetime | None
    location: Location | None = None
    origin: str | None = None
    destination: str | None = None
    eta_latest: date | None = None
    eta_source: EstimateSource | None = None
    stall_episode: uuid.UUID | None = None
    late_episode: uuid.UUID | None = None
    substatus: Substatus | None = None
    # A later leg of the parcel has the parcel now (issue 17): this leg is not judged alone.
    handed_over: bool = False
    # The earliest day a live order of the parcel promised (issue 21), if any.
    merchant_promised: date | None = None

    @property
    def key(self) -> tuple[str, str, int]:
        return self.carrier, self.tracking_number, self.generation


@dataclass(frozen=True, slots=True)
class Alert:
    """An alert to record and publish (the Kafka contract is built from it with the facts)."""

    event_id: uuid.UUID
    episode_id: uuid.UUID
    kind: AlertKind
    episode_kind: AlertKind
    expected_by: datetime | None
    detail: str
    # Late only: whose day was missed, and that day.
    promise_source: PromiseSource | None = None
    promised_date: date | None = None


@dataclass(frozen=True, slots=True)
class Verdict:
    alerts: tuple[Alert, ...]
    stall_episode: uuid.UUID | None
    late_episode: uuid.UUID | None
    due_at: datetime | None  # None: nothing can happen until the shipment changes
    threshold: Threshold | None


def _days(delta: timedelta) -> str:
    days = delta.total_seconds() / 86400
    return (
        f"{days:.0f} day{'s' if round(days) != 1 else ''}"
        if days >= 1
        else (f"{delta.total_seconds() / 3600:.0f} hours")
    )


def _alert(
    kind: AlertKind, episode: uuid.UUID, of: AlertKind, by: datetime | None, why: str
) -> Alert:
    return Alert(alert_event_id(episode, kind), episode, kind, of, by, why)


def promise(f: Facts) -> tuple[date, PromiseSource] | None:
    """The day delivery was promised for: the earlier of the carrier's current date and the
    merchant's; the carrier's on the same day (its episode ids are those from before)."""
    carrier = (
        f.eta_latest if f.eta_source in (EstimateSource.CARRIER, EstimateSource.PROVIDER) else None
    )
    merchant = f.merchant_promised
    if merchant is not None and (carrier is None or merchant < carrier):
        return merchant, PromiseSource.MERCHANT
    return (carrier, PromiseSource.CARRIER) if carrier is not None else None


def _promised_words(promised: tuple[date, PromiseSource]) -> tuple[str, str]:
    """(the episode's anchor, the day in words) of a promised day."""
    day, source = promised
    if source is PromiseSource.MERCHANT:
        return f"merchant {day.isoformat()}", f"the shop's promised day of {day.isoformat()}"
    return day.isoformat(), f"the carrier's estimate of {day.isoformat()}"


def _recovered_words(promised: tuple[date, PromiseSource] | None) -> str:
    """Why a late episode ended while the parcel is still on its way: a new day, or none."""
    if promised is None:
        return "estimate withdrawn"
    day, source = promised
    if source is PromiseSource.MERCHANT:
        return f"new promised day {day.isoformat()} (the shop's)"
    return f"new estimate {day.isoformat()}"


def evaluate(facts: Facts, thresholds: Thresholds, now: datetime) -> Verdict:
    """The alerts this evaluation emits, the episodes left open and when to look again."""
    f = facts
    alerts: list[Alert] = []
    stall, late = f.stall_episode, f.late_episode
    if f.status is None or f.last_event_at is None or f.last_event_id is None:
        return Verdict((), stall, late, None, None)  # no carrier event yet: nothing to judge
    # A leg handed over is done as a leg: its silence is the next carrier's to judge.
    terminal = f.status in TERMINAL_STATUSES or f.handed_over
    delivered = f.status is ShipmentStatus.DELIVERED
    due: list[datetime] = []

    threshold = thresholds.for_(f.carrier, f.status, f.origin, f.destination, f.substatus)
    current = episode_id(AlertKind.STALLED, f.key, str(f.last_event_id))
    if stall is not None and (terminal or stall != current):
        why = (
            f"delivered after {_days(now - f.last_event_at)}"
            if delivered
            else "handed over to the next carrier"
            if f.handed_over
            else (f"carrier event again ({f.status.value})")
        )
        alerts.append(_alert(AlertKind.RECOVERED, stall, AlertKind.STALLED, None, why))
        stall = None
    if not terminal:
        stall_due = f.last_event_at + threshold.value
        if stall is None and now >= stall_due:
            stall = current
            why = (
                f"no carrier event for {_days(now - f.last_event_at)} at {f.status.value}; "
                f"usually at most {_days(threshold.value)}"
                + (f" ({threshold.samples} similar gaps)" if threshold.samples else " (default)")
            )
            alerts.append(_alert(AlertKind.STALLED, stall, AlertKind.STALLED, stall_due, why))
        elif stall is None:
            due.append(stall_due)

    promised = promise(f)
    deadline = day_over(promised[0]) if promised is not None else None
    waiting = f.status in NEVER_LATE
    if late is not None and (terminal or waiting or deadline is None or now < deadline):
        if delivered:
            why = "delivered"
        elif f.handed_over:
            why = "handed over to the next carrier"
        elif terminal or waiting:
            why = f.status.value
        else:
            why = _recovered_words(promised)
        alerts.append(_alert(AlertKind.RECOVERED, late, AlertKind.LATE, deadline, why))
        late = None
    if not (terminal or waiting) and promised is not None and deadline is not None:
        if late is None and now >= deadline:
            anchor, day = _promised_words(promised)
            late = episode_id(AlertKind.LATE, f.key, anchor)
            event = alert_event_id(late, AlertKind.LATE)
            alerts.append(Alert(event, late, AlertKind.LATE, AlertKind.LATE, deadline,
                                f"not delivered by {day}", promised[1], promised[0]))  # fmt: skip
        elif late is None:
            due.append(deadline)
    return Verdict(tuple(alerts), stall, late, min(due, default=None), threshold)
