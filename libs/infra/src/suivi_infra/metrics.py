"""The Prometheus registry every service process exposes on /metrics."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from prometheus_client import (
    CollectorRegistry,
    PlatformCollector,
    ProcessCollector,
    start_http_server,
)


def service_registry() -> CollectorRegistry:
    """A registry of the service's own metrics plus process_* (CPU, memory, open files) and
    python_info, which a dedicated registry would otherwise lack."""
    registry = CollectorRegistry()
    ProcessCollector(registry=registry)
    PlatformCollector(registry=registry)
    return registry


@contextmanager
def metrics_server(registry: CollectorRegistry, host: str, port: int) -> Iterator[None]:
    """Serves /metrics on its own port (0: none) while the block runs, off the public port."""
    if not port:
        yield
        return
    server, thread = start_http_server(port, host, registry=registry)
    try:
        yield
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
