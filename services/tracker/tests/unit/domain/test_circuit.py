"""The circuit breaker: opens after N failures in a row, half-opens for one trial after the
cool-down (doubling per failed trial), closes on success."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from suivi_tracker.domain.circuit import (
    Circuit,
    CircuitPolicy,
    CircuitState,
    allow,
    failed,
    succeeded,
)

T0 = datetime(2026, 3, 2, tzinfo=UTC)
POLICY = CircuitPolicy(threshold=3, cooldown=timedelta(seconds=60))


def fail_n(circuit: Circuit, n: int) -> Circuit:
    for _ in range(n):
        circuit = failed(circuit, T0, POLICY)
    return circuit


def test_opens_after_threshold_failures_in_a_row() -> None:
    assert fail_n(Circuit(), 2).state is CircuitState.CLOSED
    opened = fail_n(Circuit(), 3)
    assert opened.state is CircuitState.OPEN
    assert allow(opened, T0 + timedelta(seconds=59), POLICY)[0] is False


def test_a_success_resets_the_count() -> None:
    circuit = succeeded(fail_n(Circuit(), 2))
    assert fail_n(circuit, 2).state is CircuitState.CLOSED


def test_half_open_lets_one_trial_through_then_closes_on_success() -> None:
    opened = fail_n(Circuit(), 3)
    ok, trial = allow(opened, T0 + timedelta(seconds=60), POLICY)
    assert ok and trial.state is CircuitState.HALF_OPEN
    assert allow(trial, T0 + timedelta(seconds=61), POLICY)[0] is False  # one at a time
    assert succeeded(trial).state is CircuitState.CLOSED


def test_failed_trial_reopens_with_a_doubled_cooldown() -> None:
    opened = fail_n(Circuit(), 3)
    _, trial = allow(opened, T0 + timedelta(seconds=60), POLICY)
    reopened = failed(trial, T0 + timedelta(seconds=60), POLICY)
    assert reopened.state is CircuitState.OPEN
    assert reopened.reopens_at(POLICY) == T0 + timedelta(seconds=180)
    assert allow(reopened, T0 + timedelta(seconds=179), POLICY)[0] is False
    assert allow(reopened, T0 + timedelta(seconds=180), POLICY)[0] is True
