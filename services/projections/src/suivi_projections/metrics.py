"""The projections' Prometheus metrics (suivi_ prefix, base units, bounded labels)."""

from __future__ import annotations

import math
import time
from datetime import datetime

from prometheus_client import CollectorRegistry

from suivi_infra.metrics import Declare


class ProjectionsMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.registry = registry
        declare = Declare(registry)
        self.events_applied = declare.counter(
            "suivi_projections_events_applied",
            "Events applied to the read model, by topic and status ('order' for snapshots).",
            ("topic", "status"),
        )
        self.duplicates = declare.counter(
            "suivi_projections_duplicate_events",
            "Events skipped because their id was already applied (redeliveries).",
            ("topic",),
        )
        self.stale_snapshots = declare.counter(
            "suivi_projections_stale_order_snapshots",
            "Order snapshots not applied: a newer one of the same order already was.",
        )
        self.dead_letters = declare.counter(
            "suivi_projections_dead_letters",
            "Records sent to the dead-letter topic, by source topic and error class.",
            ("topic", "error"),
        )
        self.order_notifications = declare.counter(
            "suivi_projections_order_notifications",
            "Changed orders announced on the PostgreSQL NOTIFY channel.",
        )
        self.batch_duration = declare.histogram(
            "suivi_projections_batch_duration_seconds",
            "Time to apply one consumed batch (parse, transaction, dead letters acknowledged).",
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
        )
        self.batch_size = declare.histogram(
            "suivi_projections_batch_size_records",
            "Records per consumed batch.",
            buckets=(1, 5, 10, 25, 50, 100, 250, 500, 1000),
        )
        self.monitor_checks = declare.counter(
            "suivi_projections_monitor_checks",
            "Shipment generations the stall/late monitor judged.",
        )
        self.monitor_failures = declare.counter(
            "suivi_projections_monitor_failures",
            "Monitor rounds that failed (PostgreSQL or Kafka away); each is retried.",
        )
        self.alerts = declare.counter(
            "suivi_projections_alerts",
            "Alerts published on tracking.alerts.v1, by kind (stalled, late, recovered).",
            ("kind",),
        )
        self.freshness = declare.gauge(
            "suivi_projections_freshness_seconds",
            "Now minus occurred_at of the newest status event of the last batch that applied "
            "any (computed at scrape; NaN before the first). Also grows when carriers are quiet.",
        )
        self._newest_applied: float | None = None
        self.freshness.set_function(self._freshness)

    def applied_up_to(self, occurred_at: datetime) -> None:
        self._newest_applied = occurred_at.timestamp()

    def _freshness(self) -> float:
        if self._newest_applied is None:
            return math.nan
        return time.time() - self._newest_applied
