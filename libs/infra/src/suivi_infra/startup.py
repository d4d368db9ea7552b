"""Starting while Kafka or PostgreSQL does not answer yet (a broker restarting, PostgreSQL
shutting down): every service keeps running, reports not-ready, and retries the dependency with
capped exponential back-off and jitter, instead of exiting (under `make run` or an orchestrator
one exiting process restarts or stops the whole stack, for a dependency that returns anyway)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

import asyncpg
from aiokafka.errors import KafkaError
from faststream.kafka import KafkaBroker
from prometheus_client import CollectorRegistry, Gauge

log = logging.getLogger(__name__)
T = TypeVar("T")

# What a dependency that is away, starting or stopping raises; anything else (a bad setting,
# a failing migration) is a fault that retrying cannot mend, so it still stops the service.
TRANSIENT: tuple[type[Exception], ...] = (
    OSError,  # refused, unreachable, reset (ConnectionError), DNS
    TimeoutError,
    KafkaError,
    asyncpg.PostgresConnectionError,
    asyncpg.CannotConnectNowError,  # "the database system is starting up / shutting down"
    asyncpg.AdminShutdownError,
    asyncpg.InterfaceError,  # connection closed mid-way
)


@dataclass(frozen=True, slots=True)
class Backoff:
    """Delays between attempts: initial * factor^n, capped, each spread by +-jitter."""

    initial_seconds: float = 0.5
    max_seconds: float = 30.0
    factor: float = 2.0
    jitter: float = 0.2

    def delay(self, attempt: int) -> float:
        """The pause after failed attempt number `attempt` (1-based)."""
        base = min(self.max_seconds, self.initial_seconds * self.factor ** (attempt - 1))
        # Jitter: several instances restarted together do not retry in lockstep.
        spread = random.uniform(1 - self.jitter, 1 + self.jitter)  # noqa: S311 - not a secret
        return min(self.max_seconds, base * spread)


async def retry(
    what: str,
    attempt: Callable[[], Awaitable[T]],
    *,
    backoff: Backoff | None = None,
    cleanup: Callable[[], Awaitable[object]] | None = None,
    transient: tuple[type[BaseException], ...] = TRANSIENT,
) -> T:
    """`attempt()`'s result once it succeeds; after each transient failure one log line (the
    error's type only: messages can carry a DSN or addresses), `cleanup()`, and a pause."""
    backoff = backoff or Backoff()
    attempts = 0
    while True:
        attempts += 1
        try:
            result = await attempt()
        except transient as exc:
            pause = backoff.delay(attempts)
            log.warning(
                "%s not available (attempt %d: %s); retrying in %.1f s",
                what, attempts, type(exc).__name__, pause,
            )  # fmt: skip
            if cleanup is not None:
                with contextlib.suppress(Exception):
                    await cleanup()
            await asyncio.sleep(pause)
            continue
        if attempts > 1:
            log.info("%s available after %d attempts", what, attempts)
        return result


class RetryingKafkaBroker(KafkaBroker):
    """FastStream's KafkaBroker, whose start retries (FastStream gives up at the first refusal,
    and the app with it); a failed attempt is stopped, so no client is left open."""

    async def start(self) -> None:
        await retry("Kafka (consumer)", super().start, cleanup=self.stop)


class Readiness:
    """`suivi_service_ready` on the service's /metrics: 0 while it starts or retries its
    dependencies, 1 once it consumes (the normalizer and projector have no HTTP /readyz)."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.gauge = Gauge(
            "suivi_service_ready",
            "1 once the service is connected to its dependencies and working, else 0.",
            registry=registry,
        )
        self.gauge.set(0)

    def set(self, ready: bool) -> None:
        self.gauge.set(1 if ready else 0)
