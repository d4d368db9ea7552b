"""Prometheus metrics of order intake (the API and Shopify webhooks), on the app's registry."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram

from suivi_ingest.kafka import PUBLISH_BUCKETS
from suivi_ingest.orders.shopify.mapping import TOPICS


class OrderMetrics:
    """Labels stay bounded: source is api|shopify, topic a known Shopify topic or 'other'."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.requests = Counter(
            "suivi_ingest_order_requests",
            "Order API and Shopify webhook requests answered, by source and HTTP status code.",
            ("source", "code"),
            registry=registry,
        )
        self.auth_failures = Counter(
            "suivi_ingest_order_auth_failures",
            "Order requests refused for a missing or wrong API key or Shopify signature.",
            ("source",),
            registry=registry,
        )
        self.publish_failures = Counter(
            "suivi_ingest_order_publish_failures",
            "Valid order events that could not be stored on Kafka (answered 503).",
            ("source",),
            registry=registry,
        )
        self.publish_duration = Histogram(
            "suivi_ingest_order_publish_duration_seconds",
            "Time from publish to Kafka acknowledgement of order events (acks=all).",
            buckets=PUBLISH_BUCKETS,
            registry=registry,
        )
        self.shopify_webhooks = Counter(
            "suivi_ingest_shopify_webhooks",
            "Verified Shopify webhooks by topic and outcome (published, duplicate, ignored).",
            ("topic", "outcome"),
            registry=registry,
        )

    def shopify(self, topic: str, outcome: str) -> None:
        self.shopify_webhooks.labels(topic if topic in TOPICS else "other", outcome).inc()
