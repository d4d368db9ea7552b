"""The tracker's Prometheus metrics (suivi_tracker_*), on its own registry."""

from __future__ import annotations

from prometheus_client import CollectorRegistry

from suivi_infra.metrics import Declare
from suivi_tracker.domain.circuit import CircuitState

CIRCUIT_VALUES = {CircuitState.CLOSED: 0, CircuitState.HALF_OPEN: 1, CircuitState.OPEN: 2}


class TrackerMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        declare = Declare(registry)
        self.trackings = declare.gauge(
            "suivi_tracker_trackings",
            "Trackings by state and source (refreshed from PostgreSQL periodically).",
            ("state", "source"),
        )
        self.polls = declare.counter(
            "suivi_tracker_polls",
            "Calls to sources by source, action (poll, register, …) and outcome.",
            ("source", "action", "outcome"),
        )
        self.published = declare.counter(
            "suivi_tracker_published_bodies",
            "Polled bodies that changed and were published on tracking.raw.v1.",
            ("source",),
        )
        self.rate_limited = declare.counter(
            "suivi_tracker_rate_limit_waits",
            "Answers asking the tracker to wait (429 / quota), by source.",
            ("source",),
        )
        self.rate_limit_seconds = declare.counter(
            "suivi_tracker_rate_limit_wait_seconds",
            "Seconds of Retry-After honoured, by source.",
            ("source",),
        )
        self.quota_left = declare.gauge(
            "suivi_tracker_quota_left",
            "Calls left in the source's quota period (metered sources only).",
            ("source",),
        )
        self.deferred = declare.counter(
            "suivi_tracker_deferred",
            "Due trackings not called this round, by source and reason (circuit_open, quota).",
            ("source", "reason"),
        )
        self.registrations_failed = declare.counter(
            "suivi_tracker_registrations_failed",
            "Registrations (or unregistrations) a source refused or could not take.",
            ("source", "action"),
        )
        self.circuit = declare.gauge(
            "suivi_tracker_circuit_state",
            "Circuit breaker per source: 0 closed, 1 half-open, 2 open.",
            ("source",),
        )
        self.freshness = declare.histogram(
            "suivi_tracker_freshness_seconds",
            "Age of a live tracking's last successful poll or push, observed when it is claimed.",
            ("source",),
            buckets=(300, 900, 1800, 3600, 3 * 3600, 6 * 3600, 12 * 3600, 86400, 3 * 86400),
        )
        self.claim_seconds = declare.histogram(
            "suivi_tracker_claim_seconds",
            "Time to claim one batch of due trackings.",
            buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
        )
        self.claimed = declare.counter(
            "suivi_tracker_claimed", "Due trackings claimed by this instance."
        )
        self.leases_lost = declare.counter(
            "suivi_tracker_leases_lost",
            "Outcomes not recorded because the lease had expired and been taken over.",
        )
        self.round_failures = declare.counter(
            "suivi_tracker_round_failures",
            "Scheduler rounds or trackings that failed unexpectedly (retried after the lease).",
        )
        self.consumed = declare.counter(
            "suivi_tracker_consumed",
            "Records consumed, by topic and outcome (applied, ignored, invalid).",
            ("topic", "outcome"),
        )
        self.started = declare.counter(
            "suivi_tracker_started",
            "Start requests by origin (api, orders) and result (created, existing, refused).",
            ("origin", "result"),
        )
