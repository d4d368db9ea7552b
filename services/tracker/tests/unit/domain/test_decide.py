"""States and transitions: what a due tracking needs, and what each answer or event changes."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from suivi_tracker.domain.decide import (
    Action,
    after_failure,
    after_success,
    due_action,
    finished,
    learn_status,
)
from suivi_tracker.domain.model import Tracking
from suivi_tracker.domain.schedule import SchedulePolicy
from suivi_tracker.domain.sources import Mode, NeedsInfo, RateLimited, Rejected, Unavailable
from suivi_tracker.domain.states import State

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
POLICY = replace(SchedulePolicy(), jitter=0.0)
RNG = random.Random(1)


def tracking(**changes: object) -> Tracking:
    base = Tracking(
        id=1, carrier="laposte", tracking_number="6A12345678901", state=State.PENDING,
        created_at=NOW - timedelta(minutes=1), source="laposte", mode=Mode.POLL,
    )  # fmt: skip
    return replace(base, **changes)  # type: ignore[arg-type]


def test_due_actions() -> None:
    assert due_action(tracking(), NOW, POLICY) is Action.POLL
    assert due_action(tracking(mode=Mode.PUSH), NOW, POLICY) is Action.REGISTER
    assert due_action(tracking(mode=Mode.PUSH, source_ref="trk"), NOW, POLICY) is Action.RESCHEDULE
    assert due_action(tracking(state=State.CONFIRMING), NOW, POLICY) is Action.CONFIRM
    assert due_action(tracking(state=State.CONFIRMING, mode=Mode.PUSH), NOW, POLICY) is Action.STOP
    old = tracking(created_at=NOW - timedelta(days=31))
    assert due_action(old, NOW, POLICY) is Action.EXPIRE


def test_first_poll_found_activates_and_looks_again_in_15_minutes() -> None:
    change = after_success(tracking(), NOW, POLICY, RNG, body_hash="h1")
    assert change.state is State.ACTIVE
    assert change.next_due_at == NOW + timedelta(minutes=15)
    assert change.body_hash == "h1" and change.success


def test_not_found_stays_pending_and_an_uncertain_carrier_stays_uncertain() -> None:
    assert after_success(tracking(), NOW, POLICY, RNG, found=False).state is State.PENDING
    uncertain = tracking(state=State.CARRIER_UNCERTAIN)
    assert after_success(uncertain, NOW, POLICY, RNG).state is State.CARRIER_UNCERTAIN


def test_failures() -> None:
    needs = after_failure(tracking(), NeedsInfo(("postal_code",)), NOW, POLICY, RNG)
    assert (needs.state, needs.next_due_at, needs.needs) == (
        State.NEEDS_INFO,
        None,
        ("postal_code",),
    )
    assert after_failure(tracking(), Rejected("no"), NOW, POLICY, RNG).state is State.FAILED
    down = after_failure(tracking(failures=2), Unavailable("503"), NOW, POLICY, RNG)
    assert (down.state, down.failures, down.next_due_at) == (
        State.PENDING, 3, NOW + timedelta(minutes=4),
    )  # fmt: skip
    limited = after_failure(tracking(), RateLimited(120), NOW, POLICY, RNG)
    assert limited.next_due_at == NOW + timedelta(seconds=120)


def test_terminal_status_starts_the_confirming_day_then_push_sources_unregister() -> None:
    t = tracking(
        state=State.ACTIVE, last_status="in_transit", last_event_at=NOW - timedelta(days=1)
    )
    done = learn_status(t, "delivered", NOW - timedelta(minutes=5), NOW, None, NOW)
    assert (done.state, done.terminal_at, done.last_status) == (State.CONFIRMING, NOW, "delivered")
    assert finished(replace(done, mode=Mode.PUSH), State.STOPPED).unregister
    assert not finished(done, State.STOPPED).unregister


def test_older_events_do_not_roll_the_status_back_and_final_states_stay() -> None:
    t = tracking(state=State.ACTIVE, last_status="out_for_delivery", last_event_at=NOW)
    late = learn_status(t, "in_transit", NOW - timedelta(hours=5), NOW, None, NOW)
    assert late.last_status == "out_for_delivery" and late.last_push_at == NOW
    stopped = tracking(state=State.STOPPED)
    assert learn_status(stopped, "delivered", NOW, NOW, None, NOW).state is State.STOPPED


def test_events_confirm_a_guessed_carrier_and_activate_a_pending_one() -> None:
    for state in (State.CARRIER_UNCERTAIN, State.PENDING):
        learned = learn_status(tracking(state=state), "in_transit", NOW, NOW, None, NOW)
        assert learned.state is State.ACTIVE
