"""The adaptive schedule: when to look at a tracking next, from its state, its last canonical
status, its promised date and its failures; with jitter from an injected RNG (no thundering
herd after a restart or a bulk import). Every number is a field of `SchedulePolicy` (settings).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from suivi_schemas.status import TERMINAL_STATUSES, ShipmentStatus
from suivi_tracker.domain.model import Tracking
from suivi_tracker.domain.sources import Mode
from suivi_tracker.domain.states import State

S = ShipmentStatus
EARLY: frozenset[str] = frozenset({S.PENDING, S.INFO_RECEIVED})
# The parcel may change hands any minute: the shopper is watching.
URGENT: frozenset[str] = frozenset(
    {S.OUT_FOR_DELIVERY, S.AVAILABLE_FOR_PICKUP, S.DELIVERY_ATTEMPT_FAILED, S.EXCEPTION}
)
TERMINAL: frozenset[str] = frozenset(TERMINAL_STATUSES)


@dataclass(frozen=True, slots=True)
class SchedulePolicy:
    first_look: timedelta = timedelta(minutes=15)  # after a registration or a first poll
    early_min: timedelta = timedelta(minutes=15)  # pending / info_received: back-off from …
    early_max: timedelta = timedelta(hours=12)  # … up to this
    early_factor: float = 0.5  # interval = age * factor, within [early_min, early_max]
    in_transit: timedelta = timedelta(hours=3)
    urgent_min: timedelta = timedelta(minutes=30)  # out for delivery, pickup, failed attempt
    urgent_max: timedelta = timedelta(minutes=60)
    promised_day: timedelta = timedelta(hours=1)  # in transit on the promised delivery day
    confirm_after: timedelta = timedelta(days=1)  # terminal → one confirming look → stop
    expire_after: timedelta = timedelta(days=30)  # no event for this long → expired
    retry_base: timedelta = timedelta(minutes=1)  # 5xx / timeout: base * 2^failures …
    retry_max: timedelta = timedelta(hours=6)  # … up to this
    jitter: float = 0.1  # ± this fraction of every interval


def expires_at(t: Tracking, policy: SchedulePolicy) -> datetime:
    """No event since then (or since creation, if none) → expired."""
    return (t.last_event_at or t.created_at) + policy.expire_after


def poll_interval(
    t: Tracking, now: datetime, policy: SchedulePolicy, rng: random.Random
) -> timedelta:
    """The wait before the next poll of a polled tracking, before jitter."""
    status = t.last_status
    if status is None or status in EARLY:
        age = now - t.created_at
        return min(max(age * policy.early_factor, policy.early_min), policy.early_max)
    if status in URGENT:
        low, high = policy.urgent_min.total_seconds(), policy.urgent_max.total_seconds()
        return timedelta(seconds=rng.uniform(low, high))
    if t.promised_date is not None and t.promised_date == now.date():
        return policy.promised_day
    return policy.in_transit


def jittered(delay: timedelta, policy: SchedulePolicy, rng: random.Random) -> timedelta:
    return delay * rng.uniform(1 - policy.jitter, 1 + policy.jitter)


def next_due(
    t: Tracking, now: datetime, policy: SchedulePolicy, rng: random.Random
) -> datetime | None:
    """The next time the scheduler has something to do for `t` (None: nothing, ever)."""
    if t.state not in (State.PENDING, State.ACTIVE, State.CARRIER_UNCERTAIN, State.CONFIRMING):
        return None
    if t.state is State.CONFIRMING:
        return (t.terminal_at or now) + policy.confirm_after
    expiry = expires_at(t, policy)
    if t.mode is Mode.PUSH:
        if t.state is State.PENDING and not t.registered:
            return now  # register as soon as possible
        return expiry  # pushed: only the expiry check is left to do
    return min(now + jittered(poll_interval(t, now, policy, rng), policy, rng), expiry)


def retry_delay(
    failures: int, retry_after: float | None, policy: SchedulePolicy, rng: random.Random
) -> timedelta:
    """After the `failures`-th failure in a row: exponential back-off, never sooner than the
    source's Retry-After."""
    backoff = min(policy.retry_base * (2 ** max(failures - 1, 0)), policy.retry_max)
    delay = jittered(backoff, policy, rng)
    if retry_after is not None:
        delay = max(delay, timedelta(seconds=retry_after))
    return delay
