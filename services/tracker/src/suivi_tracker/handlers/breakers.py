"""The circuit breakers of this process, one per source (the pure rules: domain/circuit.py).

In memory on purpose: each instance judges the source from its own calls, and a restart
starting closed costs at most `threshold` calls before it opens again.
"""

from __future__ import annotations

from datetime import datetime

from suivi_tracker.domain.circuit import Circuit, CircuitPolicy, allow, failed, succeeded
from suivi_tracker.metrics import CIRCUIT_VALUES, TrackerMetrics


class Breakers:
    def __init__(self, policy: CircuitPolicy, metrics: TrackerMetrics | None = None) -> None:
        self.policy = policy
        self.metrics = metrics
        self.circuits: dict[str, Circuit] = {}

    def _set(self, source: str, circuit: Circuit) -> None:
        self.circuits[source] = circuit
        if self.metrics is not None:
            self.metrics.circuit.labels(source).set(CIRCUIT_VALUES[circuit.state])

    def allow(self, source: str, now: datetime) -> bool:
        ok, circuit = allow(self.circuits.get(source, Circuit()), now, self.policy)
        self._set(source, circuit)
        return ok

    def reopens_at(self, source: str) -> datetime | None:
        return self.circuits.get(source, Circuit()).reopens_at(self.policy)

    def success(self, source: str) -> None:
        self._set(source, succeeded(self.circuits.get(source, Circuit())))

    def failure(self, source: str, now: datetime) -> None:
        self._set(source, failed(self.circuits.get(source, Circuit()), now, self.policy))
