"""The console's Prometheus metrics (suivi_console_*), on its own registry."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge


class ConsoleMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.published = Counter(
            "suivi_console_records_published", "Merchant records acknowledged on merchants.v1.",
            registry=registry,
        )  # fmt: skip
        self.publish_failures = Counter(
            "suivi_console_record_publish_failures",
            "Merchant records the broker did not take (the periodic republish retries them).",
            registry=registry,
        )
        self.ready = Gauge(
            "suivi_service_ready", "1 once PostgreSQL and Kafka answered.", registry=registry
        )
