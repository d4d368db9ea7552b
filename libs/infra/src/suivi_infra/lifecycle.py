"""One lifecycle for the services that run an HTTP server, a Kafka consumer and background loops
on PostgreSQL (tracker, after-sales, notifier): start in the background, stop, ready.

The HTTP server serves from the first instant (`/readyz` 503) while `start` waits for PostgreSQL,
the migrations and the producer with back-off; `stop` first cancels a start still waiting, then
stops the consumer (the batch in hand is finished), the loops, the producer and the pool, in that
order. A service fills in the steps of its own (`before_producer`, `before_consumer`,
`after_consumer`, `on_stopping`, `drain`, `close`); each does nothing unless overridden.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from contextlib import asynccontextmanager
from functools import cached_property
from typing import Any, ClassVar, Protocol

import asyncpg
from aiokafka import AIOKafkaProducer
from fastapi import FastAPI
from faststream import FastStream
from prometheus_client import CollectorRegistry, start_http_server

from suivi_infra.merchants import MerchantDirectory
from suivi_infra.postgres import wait_for_postgres
from suivi_infra.settings import KafkaSettings, PostgresSettings
from suivi_infra.startup import retry
from suivi_infra.tasks import cancel

log = logging.getLogger(__name__)


class LifecycleSettings(Protocol):
    """What the lifecycle reads from a service's settings."""

    @property
    def postgres(self) -> PostgresSettings: ...

    @property
    def migrate_on_start(self) -> bool: ...


class ServiceLifecycle:
    """Base of a service object (a dataclass holding the attributes below)."""

    name: ClassVar[str]
    settings: LifecycleSettings
    registry: CollectorRegistry
    pool: asyncpg.Pool
    producer: AIOKafkaProducer
    app: FastStream
    owns_pool: bool
    started: bool = False
    _starting: asyncio.Task[None] | None = None
    _metrics_server: Any = None

    @cached_property
    def stopping(self) -> asyncio.Event:
        """Set by `stop`: the loops run until then."""
        return asyncio.Event()

    @cached_property
    def _tasks(self) -> list[tuple[asyncio.Task[None], bool]]:
        return []

    @property
    def consuming(self) -> bool:
        """Whether this instance runs the Kafka consumer (`app`)."""
        return True

    @property
    def metrics_address(self) -> tuple[str, int] | None:
        """(host, port) of a metrics server of its own, if any."""
        return None

    async def migrate_schema(self, conn: asyncpg.Connection) -> None:
        """Applies the service's migrations (every service has its own)."""
        raise NotImplementedError

    async def before_producer(self) -> None:
        """Once PostgreSQL answers (and is migrated)."""

    async def before_consumer(self) -> None:
        """Once the producer is connected."""

    def after_consumer(self) -> None:
        """Once the consumer started: the loops (`run`)."""

    def on_stopping(self) -> None:
        """Right after `stopping` is set: wake what waits on something else."""

    async def drain(self) -> None:
        """Once the loops ended, before the producer stops."""

    async def close(self) -> None:
        """Once the producer stopped, before the pool closes."""

    def run(self, loop: Coroutine[Any, Any, None], name: str, *, cancel: bool = False) -> None:
        """A background loop until `stop`: awaited to its end, or cancelled if `cancel`."""
        self._tasks.append((asyncio.create_task(loop, name=name), cancel))

    async def every(self, seconds: float, step: Callable[[], Awaitable[None]], what: str) -> None:
        """`step` every `seconds` until `stop` (a loop to `run`); PostgreSQL away skips a round."""
        while not self.stopping.is_set():
            try:
                await step()
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                log.warning("%s not refreshed (%s)", what, type(exc).__name__)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stopping.wait(), seconds)

    async def start(self) -> None:
        """Returns once started; PostgreSQL and Kafka are retried with back-off meanwhile."""
        address = self.metrics_address
        if address is not None and self._metrics_server is None:
            self._metrics_server, _ = start_http_server(
                address[1], address[0], registry=self.registry
            )
        await wait_for_postgres(self.pool, self.settings.postgres)
        if self.settings.migrate_on_start:
            await retry("PostgreSQL (migrations)", self._migrate)
        await self.before_producer()
        await retry("Kafka (producer)", self.producer.start)
        self.stopping.clear()
        await self.before_consumer()
        if self.consuming:
            await self.app.start()  # the broker's start retries likewise (suivi_infra.startup)
        self.after_consumer()
        self.started = True

    def start_in_background(self) -> None:
        """Starts without holding up the HTTP server: /readyz answers 503 until started."""
        self._starting = asyncio.create_task(self.start(), name="start")
        self._starting.add_done_callback(self._report_failed_start)

    @asynccontextmanager
    async def lifespan(self, _: object) -> AsyncIterator[None]:
        """The HTTP server's lifespan: it serves while the service starts, and stops it last."""
        self.start_in_background()
        try:
            yield
        finally:
            await self.stop()

    async def stop(self) -> None:
        if self._starting is not None and not self._starting.done():
            await cancel(self._starting)  # stopped while still waiting for a dependency
        self.started = False
        if self.consuming:
            await self.app.stop()  # the batch in hand is finished (graceful_timeout)
        self.stopping.set()
        self.on_stopping()
        for task, interrupt in self._tasks:
            if interrupt:
                task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()
        if self._metrics_server is not None:
            self._metrics_server.shutdown()
            self._metrics_server = None
        await self.drain()
        await self.producer.stop()
        await self.close()
        if self.owns_pool:
            await self.pool.close()

    async def ready(self) -> bool:
        """Started, and PostgreSQL answers now."""
        if not self.started:
            return False
        try:
            async with self.pool.acquire(timeout=2) as conn:
                await conn.fetchval("SELECT 1", timeout=2)
        except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError):
            return False
        return True

    async def _migrate(self) -> None:
        async with self.pool.acquire() as conn:
            await self.migrate_schema(conn)

    def _report_failed_start(self, task: asyncio.Task[None]) -> None:
        # Not a dependency away (those are retried): a fault such as a bad setting or a failing
        # migration. The service stays not-ready (/readyz 503) and says why, once.
        if not task.cancelled() and (exc := task.exception()) is not None:
            log.critical("%s did not start (%s)", self.name, type(exc).__name__, exc_info=exc)


class HttpServiceSettings(LifecycleSettings, Protocol):
    """What an `HttpService` reads besides."""

    @property
    def kafka(self) -> KafkaSettings: ...

    @property
    def consume(self) -> bool: ...

    @property
    def host(self) -> str: ...

    @property
    def metrics_port(self) -> int: ...

    @property
    def merchants_topic(self) -> str: ...


class HttpService(ServiceLifecycle):
    """A service serving its own FastAPI app (`serve`: the app's readiness and lifespan are this
    object's), consuming unless `settings.consume` is off, with metrics on its own port (0:
    none), following merchants.v1 (`directory`, if any) from start to stop."""

    settings: HttpServiceSettings
    directory: MerchantDirectory | None = None
    api: FastAPI

    def serve(self, api: FastAPI) -> None:
        self.api = api
        api.router.lifespan_context = self.lifespan

    @property
    def consuming(self) -> bool:
        return self.settings.consume

    @property
    def metrics_address(self) -> tuple[str, int] | None:
        port = self.settings.metrics_port
        return (self.settings.host, port) if port else None

    async def before_consumer(self) -> None:
        if self.directory is not None:
            self.directory.start(self.settings.kafka, self.settings.merchants_topic)

    async def drain(self) -> None:
        if self.directory is not None:
            await self.directory.stop()
