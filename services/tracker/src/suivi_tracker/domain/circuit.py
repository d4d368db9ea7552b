"""A circuit breaker per source: closed → open after N failures in a row → half-open after a
cool-down (one trial call) → closed on success, open again on failure. Pure: time is passed in."""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from datetime import datetime, timedelta


class CircuitState(enum.StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


@dataclass(frozen=True, slots=True)
class CircuitPolicy:
    threshold: int = 5  # failures in a row that open it
    cooldown: timedelta = timedelta(minutes=1)  # open → half-open
    max_cooldown: timedelta = timedelta(minutes=30)  # the cool-down doubles per failed trial


@dataclass(frozen=True, slots=True)
class Circuit:
    state: CircuitState = CircuitState.CLOSED
    failures: int = 0  # in a row
    opened_at: datetime | None = None
    trials_failed: int = 0  # failed half-open trials since it first opened
    trial_out: bool = False  # a half-open trial call is in flight

    def reopens_at(self, policy: CircuitPolicy) -> datetime | None:
        """When an open circuit lets a trial through (None unless open)."""
        if self.state is not CircuitState.OPEN or self.opened_at is None:
            return None
        cooldown: timedelta = min(policy.cooldown * 2**self.trials_failed, policy.max_cooldown)
        return self.opened_at + cooldown


def allow(circuit: Circuit, now: datetime, policy: CircuitPolicy) -> tuple[bool, Circuit]:
    """May a call go to the source now? (and the circuit after saying so)."""
    if circuit.state is CircuitState.CLOSED:
        return True, circuit
    if circuit.state is CircuitState.OPEN:
        reopens = circuit.reopens_at(policy)
        if reopens is not None and now >= reopens:
            return True, replace(circuit, state=CircuitState.HALF_OPEN, trial_out=True)
        return False, circuit
    if circuit.trial_out:  # half-open: only one trial at a time
        return False, circuit
    return True, replace(circuit, trial_out=True)


def succeeded(circuit: Circuit) -> Circuit:
    return Circuit()


def failed(circuit: Circuit, now: datetime, policy: CircuitPolicy) -> Circuit:
    if circuit.state is CircuitState.HALF_OPEN:
        return Circuit(
            CircuitState.OPEN, circuit.failures + 1, now, circuit.trials_failed + 1, False
        )
    if circuit.state is CircuitState.OPEN:  # a call let through before it opened
        return replace(circuit, failures=circuit.failures + 1)
    failures = circuit.failures + 1
    if failures >= policy.threshold:
        return Circuit(CircuitState.OPEN, failures, now, 0, False)
    return replace(circuit, failures=failures)
