"""The schedule table: each state/status gives the documented interval; jitter stays in bounds."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from suivi_tracker.domain.model import Tracking
from suivi_tracker.domain.schedule import SchedulePolicy, next_due, poll_interval, retry_delay
from suivi_tracker.domain.sources import Mode
from suivi_tracker.domain.states import State

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
POLICY = SchedulePolicy()
NO_JITTER = replace(POLICY, jitter=0.0)


def tracking(**changes: object) -> Tracking:
    base = Tracking(
        id=1, carrier="laposte", tracking_number="6A12345678901", state=State.ACTIVE,
        created_at=NOW - timedelta(days=2), source="laposte", mode=Mode.POLL,
        last_event_at=NOW - timedelta(hours=1),
    )  # fmt: skip
    return replace(base, **changes)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("status", "age", "expected"),
    [
        (None, timedelta(minutes=1), timedelta(minutes=15)),  # first look after 15 min
        ("pending", timedelta(hours=4), timedelta(hours=2)),  # back-off: half the age
        ("info_received", timedelta(days=3), timedelta(hours=12)),  # capped at 12 h
        ("in_transit", timedelta(days=2), timedelta(hours=3)),
        ("returning_to_sender", timedelta(days=2), timedelta(hours=3)),
    ],
)
def test_poll_interval_table(status: str | None, age: timedelta, expected: timedelta) -> None:
    t = tracking(last_status=status, created_at=NOW - age)
    assert poll_interval(t, NOW, POLICY, random.Random(1)) == expected


@pytest.mark.parametrize(
    "status", ["out_for_delivery", "available_for_pickup", "delivery_attempt_failed", "exception"]
)
def test_urgent_statuses_every_30_to_60_minutes(status: str) -> None:
    rng = random.Random(7)
    seen = [poll_interval(tracking(last_status=status), NOW, POLICY, rng) for _ in range(200)]
    assert min(seen) >= timedelta(minutes=30)
    assert max(seen) <= timedelta(minutes=60)
    assert max(seen) - min(seen) > timedelta(minutes=20)  # spread, not one fixed value


def test_promised_day_polls_hourly_and_other_days_every_three_hours() -> None:
    today = tracking(last_status="in_transit", promised_date=NOW.date())
    tomorrow = tracking(last_status="in_transit", promised_date=date(2026, 3, 3))
    assert poll_interval(today, NOW, POLICY, random.Random(1)) == timedelta(hours=1)
    assert poll_interval(tomorrow, NOW, POLICY, random.Random(1)) == timedelta(hours=3)


def test_jitter_stays_within_ten_percent() -> None:
    rng = random.Random(3)
    t = tracking(last_status="in_transit")
    dues = {next_due(t, NOW, POLICY, rng) for _ in range(100)}
    assert len(dues) > 50
    for due in dues:
        assert due is not None
        assert timedelta(hours=2.7) <= due - NOW <= timedelta(hours=3.3)


def test_confirming_is_due_a_day_after_the_terminal_status() -> None:
    t = tracking(state=State.CONFIRMING, terminal_at=NOW - timedelta(hours=5))
    assert next_due(t, NOW, NO_JITTER, random.Random(1)) == NOW + timedelta(hours=19)


def test_never_past_the_expiry_and_nothing_due_when_final() -> None:
    old = tracking(last_status="in_transit", last_event_at=NOW - timedelta(days=29, hours=23))
    assert next_due(old, NOW, NO_JITTER, random.Random(1)) == NOW + timedelta(hours=1)
    for state in (State.STOPPED, State.EXPIRED, State.FAILED, State.NEEDS_INFO):
        assert next_due(tracking(state=state), NOW, POLICY, random.Random(1)) is None


def test_push_trackings_register_now_then_only_the_expiry_is_due() -> None:
    pending = tracking(mode=Mode.PUSH, state=State.PENDING, source_ref=None, last_event_at=None)
    assert next_due(pending, NOW, POLICY, random.Random(1)) == NOW
    registered = replace(pending, source_ref="trk_1", state=State.ACTIVE)
    assert next_due(registered, NOW, POLICY, random.Random(1)) == pending.created_at + timedelta(
        days=30
    )


def test_retry_backs_off_exponentially_and_honours_retry_after() -> None:
    delays = [retry_delay(n, None, NO_JITTER, random.Random(1)) for n in (1, 2, 3, 4)]
    assert delays == [timedelta(minutes=m) for m in (1, 2, 4, 8)]
    assert retry_delay(30, None, NO_JITTER, random.Random(1)) == timedelta(hours=6)
    assert retry_delay(1, 600.0, NO_JITTER, random.Random(1)) == timedelta(minutes=10)
