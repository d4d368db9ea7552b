"""Prometheus metrics of the ingest service, on a registry of the caller's (one per app)."""

from __future__ import annotations

from collections.abc import Iterable

from prometheus_client import CollectorRegistry, Counter, Histogram

from suivi_ingest.kafka import PUBLISH_BUCKETS

UNKNOWN_PROVIDER = "unknown"
_BODY_BUCKETS = tuple(float(2**n) for n in range(8, 21, 2))  # 256 B … 1 MiB


class IngestMetrics:
    """Labels stay bounded: provider is a known slug or 'unknown', never a value from a body."""

    def __init__(self, registry: CollectorRegistry, providers: Iterable[str]) -> None:
        self.known = frozenset(providers)
        self._answered: dict[tuple[str, int], Counter] = {}
        self.requests = Counter(
            "suivi_ingest_requests",
            "Webhook requests answered, by provider and HTTP status code.",
            ("provider", "code"),
            registry=registry,
        )
        self.signature_failures = Counter(
            "suivi_ingest_signature_failures",
            "Webhook requests refused because their signature did not verify.",
            ("provider",),
            registry=registry,
        )
        self.publish_failures = Counter(
            "suivi_ingest_publish_failures",
            "Accepted webhooks that could not be stored on Kafka (answered 503).",
            registry=registry,
        )
        self.publish_duration = Histogram(
            "suivi_ingest_publish_duration_seconds",
            "Time from publish to Kafka acknowledgement (acks=all).",
            buckets=PUBLISH_BUCKETS,
            registry=registry,
        )
        self.body_bytes = Histogram(
            "suivi_ingest_request_body_bytes",
            "Size of the webhook bodies read.",
            buckets=_BODY_BUCKETS,
            registry=registry,
        )

    def label(self, provider: str) -> str:
        return provider if provider in self.known else UNKNOWN_PROVIDER

    def answered(self, provider: str, code: int) -> None:
        key = (self.label(provider), code)
        child = self._answered.get(key)
        if child is None:
            child = self._answered[key] = self.requests.labels(key[0], str(code))
        child.inc()
