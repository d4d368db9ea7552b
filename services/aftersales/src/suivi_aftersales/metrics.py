"""After-sales' Prometheus metrics (suivi_aftersales_*), on its own registry."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge


class AftersalesMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.consumed = Counter(
            "suivi_aftersales_consumed_records",
            "Consumed records by topic and outcome (applied, dead_lettered).",
            ["topic", "outcome"],
            registry=registry,
        )
        self.transitions = Counter(
            "suivi_aftersales_return_events",
            "Return events written to the outbox, by kind (requested, approved, received, …).",
            ["kind"],
            registry=registry,
        )
        self.published = Counter(
            "suivi_aftersales_published_events",
            "Return events the outbox relay published on commerce.returns.v1 (acknowledged).",
            registry=registry,
        )
        self.claims_overdue = Gauge(
            "suivi_aftersales_claims_overdue",
            "Open claims the merchant has not answered within the first-response target (from "
            "PostgreSQL, every instance reports the same total).",
            registry=registry,
        )
        self.refused = Counter(
            "suivi_aftersales_refused_requests",
            "Shopper return requests refused, by code (window_closed, not_delivered, …).",
            ["code"],
            registry=registry,
        )
