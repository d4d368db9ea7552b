"""The normalizer's Prometheus metrics (suivi_ prefix, base units, bounded labels)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram

from suivi_schemas.providers import SLUGS

# Unknown codes are labelled by code so operators see which to map; cap the distinct values.
MAX_UNKNOWN_CODES_PER_PROVIDER = 50
# Degraded fields are named by the adapters without indices (a bounded set); capped all the same.
MAX_DEGRADED_FIELDS_PER_PROVIDER = 50


def provider_label(provider: str) -> str:
    return provider if provider in SLUGS else "other"


class NormalizerMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.registry = registry
        self.raw_in = Counter(
            "suivi_normalizer_raw_events",
            "Raw provider events consumed, by outcome (normalized or dead_lettered).",
            ["provider", "outcome"],
            registry=registry,
        )
        self.events_out = Counter(
            "suivi_normalizer_events_published",
            "Canonical events published to the status topic.",
            ["provider", "status"],
            registry=registry,
        )
        self.duplicates = Counter(
            "suivi_normalizer_duplicate_events",
            "Canonical events not published again (already published recently).",
            ["provider"],
            registry=registry,
        )
        self.unknown_codes = Counter(
            "suivi_normalizer_unknown_codes",
            "Checkpoints whose provider code no adapter table maps.",
            ["provider", "code"],
            registry=registry,
        )
        self.degraded_parses = Counter(
            "suivi_normalizer_degraded_parses",
            "Bodies normalized without an optional or nullable field they carried unusable "
            "(dropped, or taken from elsewhere in the body) instead of being dead-lettered.",
            ["provider", "field"],
            registry=registry,
        )
        self.dead_letters = Counter(
            "suivi_normalizer_dead_letters",
            "Raw events sent to the dead-letter topic, by error class.",
            ["provider", "error"],
            registry=registry,
        )
        self.batch_duration = Histogram(
            "suivi_normalizer_batch_duration_seconds",
            "Time to normalize and publish one consumed batch (until Kafka acknowledged).",
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
            registry=registry,
        )
        self.batch_size = Histogram(
            "suivi_normalizer_batch_size_records",
            "Raw records per consumed batch.",
            buckets=(1, 5, 10, 25, 50, 100, 250, 500, 1000),
            registry=registry,
        )
        self.publish_lag = Histogram(
            "suivi_normalizer_publish_lag_seconds",
            "From ingest's received_at to its canonical events acknowledged (per raw event).",
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
            registry=registry,
        )
        self._unknown_seen: dict[str, set[str]] = {}
        self._degraded_seen: dict[str, set[str]] = {}

    def unknown_code(self, provider: str, code: str) -> None:
        seen = self._unknown_seen.setdefault(provider, set())
        if code not in seen and len(seen) >= MAX_UNKNOWN_CODES_PER_PROVIDER:
            code = "other"
        else:
            seen.add(code)
        self.unknown_codes.labels(provider, code).inc()

    def degraded_parse(self, provider: str, field: str) -> None:
        seen = self._degraded_seen.setdefault(provider, set())
        if field not in seen and len(seen) >= MAX_DEGRADED_FIELDS_PER_PROVIDER:
            field = "other"
        else:
            seen.add(field)
        self.degraded_parses.labels(provider, field).inc()
