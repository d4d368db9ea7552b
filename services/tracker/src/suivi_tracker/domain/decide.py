"""The decisions of the tracker: what a due tracking needs, and what each answer of its source
(or each status event learned) changes. Pure: the handlers load, call these, and save."""

from __future__ import annotations

import enum
import random
from dataclasses import dataclass, replace
from datetime import date, datetime

from suivi_tracker.domain.model import Tracking
from suivi_tracker.domain.schedule import (
    TERMINAL,
    SchedulePolicy,
    expires_at,
    next_due,
    retry_delay,
)
from suivi_tracker.domain.sources import Mode, NeedsInfo, RateLimited, Rejected, SourceError
from suivi_tracker.domain.states import LIVE, State


class Action(enum.StrEnum):
    REGISTER = "register"  # push source, not registered yet
    POLL = "poll"
    CONFIRM = "confirm"  # poll source, terminal seen a day ago: one last poll, then stop
    STOP = "stop"  # push source, terminal seen a day ago: unregister, stop
    EXPIRE = "expire"  # no event for too long
    RESCHEDULE = "reschedule"  # push source, registered: only the expiry check was due


def due_action(t: Tracking, now: datetime, policy: SchedulePolicy) -> Action:
    if t.state is State.CONFIRMING:
        return Action.CONFIRM if t.mode is Mode.POLL else Action.STOP
    if now >= expires_at(t, policy):
        return Action.EXPIRE
    if t.mode is Mode.PUSH:
        return Action.RESCHEDULE if t.registered else Action.REGISTER
    return Action.POLL


@dataclass(frozen=True, slots=True)
class Change:
    """What to write after one due tracking was handled."""

    state: State
    next_due_at: datetime | None
    failures: int = 0
    success: bool = False  # the source answered: last_success_at = now
    body_hash: str | None = None  # a new body was published
    source_ref: str | None = None
    needs: tuple[str, ...] = ()
    error: str | None = None  # short, no personal data
    unregister: bool = False  # push source: stop its pushes


def after_success(
    t: Tracking,
    now: datetime,
    policy: SchedulePolicy,
    rng: random.Random,
    *,
    found: bool = True,
    body_hash: str | None = None,
    source_ref: str | None = None,
) -> Change:
    state = State.ACTIVE if t.state is State.PENDING and found else t.state
    ref = source_ref or t.source_ref
    updated = replace(t, state=state, last_success_at=now, failures=0, source_ref=ref)
    return Change(
        state, next_due(updated, now, policy, rng), 0, True, body_hash or t.body_hash, ref
    )


def after_failure(
    t: Tracking, error: SourceError, now: datetime, policy: SchedulePolicy, rng: random.Random
) -> Change:
    if isinstance(error, NeedsInfo):
        return Change(State.NEEDS_INFO, None, needs=error.fields, error=str(error))
    if isinstance(error, Rejected):
        return Change(State.FAILED, None, error=type(error).__name__)
    failures = t.failures + 1
    retry_after = getattr(error, "retry_after", None)
    delay = retry_delay(failures, retry_after, policy, rng)
    reason = "rate_limited" if isinstance(error, RateLimited) else "unavailable"
    return Change(t.state, now + delay, failures, body_hash=t.body_hash, error=reason)


def finished(t: Tracking, state: State) -> Change:
    """Stopped or expired: nothing due any more; a push source is told to stop."""
    return Change(state, None, body_hash=t.body_hash, unregister=t.mode is Mode.PUSH)


def deferred(t: Tracking, until: datetime, reason: str) -> Change:
    """Not called now (circuit open, quota short): due again at `until`, nothing else changes."""
    return Change(t.state, until, t.failures, body_hash=t.body_hash, error=reason)


def learn_status(
    t: Tracking,
    status: str,
    occurred_at: datetime,
    received_at: datetime,
    promised: date | None,
    now: datetime,
) -> Tracking:
    """A canonical status event for this tracking (tracking.status.v1): the latest status and
    event time feed the schedule; a terminal status starts the confirming day. Events older than
    the one known only refresh `last_push_at`; final states are never reopened."""
    pushed = max(filter(None, (t.last_push_at, received_at)))
    if t.last_event_at is not None and occurred_at < t.last_event_at:
        return replace(t, last_push_at=pushed)
    learned = replace(
        t,
        last_status=status,
        last_event_at=occurred_at,
        last_push_at=pushed,
        promised_date=promised or t.promised_date,
    )
    if t.state in LIVE | {State.CONFIRMING}:
        if status in TERMINAL:
            if t.state is not State.CONFIRMING:
                return replace(learned, state=State.CONFIRMING, terminal_at=now)
            return learned
        # Events at this carrier prove it knows the number: a guessed carrier is confirmed.
        return replace(learned, state=State.ACTIVE, terminal_at=None)
    return learned
