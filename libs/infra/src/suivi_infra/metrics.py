"""The Prometheus registry every service process exposes on /metrics."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, PlatformCollector, ProcessCollector


def service_registry() -> CollectorRegistry:
    """A registry of the service's own metrics plus process_* (CPU, memory, open files) and
    python_info, which a dedicated registry would otherwise lack."""
    registry = CollectorRegistry()
    ProcessCollector(registry=registry)
    PlatformCollector(registry=registry)
    return registry
