"""Composition root: settings → pool, producer → returns handler, intake (consumer), outbox
relay, reminder scheduler and HTTP app, with one start/stop for them all.

One process runs them all (like the tracker): they share the pool, and the handlers wake the
relay as soon as they wrote events. Instances scale out as they are: the consumer group splits
the partitions, the scheduler claims with SKIP LOCKED, and one relay at a time holds the
outbox's advisory lock (so a return's events keep their order)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
from aiokafka import AIOKafkaProducer
from fastapi import FastAPI
from faststream import FastStream
from prometheus_client import CollectorRegistry, start_http_server

from suivi_aftersales.adapters import pg_claims
from suivi_aftersales.adapters.pg_limits import Limit
from suivi_aftersales.adapters.relay import OutboxRelay
from suivi_aftersales.app import create_api
from suivi_aftersales.consumer import build_app, build_broker
from suivi_aftersales.db.migrate import migrate
from suivi_aftersales.handlers.claims import Claims
from suivi_aftersales.handlers.intake import Intake, Topics
from suivi_aftersales.handlers.returns import Returns
from suivi_aftersales.handlers.scheduler import Scheduler
from suivi_aftersales.metrics import AftersalesMetrics
from suivi_aftersales.settings import AftersalesSettings
from suivi_aftersales.web.deps import ApiContext
from suivi_aftersales.web.forms import FormTokens
from suivi_infra.dlq import DeadLetterQueue
from suivi_infra.kafka import make_producer
from suivi_infra.merchant_keys import MerchantKeys
from suivi_infra.merchants import KeyLookup, MerchantDirectory
from suivi_infra.metrics import service_registry
from suivi_infra.postgres import lazy_pool, wait_for_postgres
from suivi_infra.records import KafkaSink
from suivi_infra.startup import retry

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


def _report_failed_start(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.critical("aftersales did not start (%s)", type(task.exception()).__name__)


@dataclass
class AftersalesService:
    settings: AftersalesSettings
    registry: CollectorRegistry
    metrics: AftersalesMetrics
    pool: asyncpg.Pool
    producer: AIOKafkaProducer
    returns: Returns
    intake: Intake
    relay: OutboxRelay
    scheduler: Scheduler
    app: FastStream
    api_context: ApiContext
    clock: Clock
    owns_pool: bool = True
    _stop: asyncio.Event = field(default_factory=asyncio.Event)
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)
    _metrics_server: Any = None
    _starting: asyncio.Task[None] | None = None
    started: bool = False
    directory: MerchantDirectory | None = None  # followed from start to stop
    api: FastAPI = field(init=False)

    def __post_init__(self) -> None:
        # The API is the service's own: its readiness and lifespan are this object's.
        self.api = create_api(self.api_context, self.ready)
        self.api.router.lifespan_context = self._lifespan

    @asynccontextmanager
    async def _lifespan(self, _: FastAPI) -> AsyncIterator[None]:
        self.start_in_background()
        try:
            yield
        finally:
            await self.stop()

    async def start(self) -> None:
        """Returns once started; PostgreSQL and Kafka are retried with back-off meanwhile."""
        if self.settings.metrics_port and self._metrics_server is None:
            self._metrics_server, _ = start_http_server(
                self.settings.metrics_port, self.settings.host, registry=self.registry
            )
        await wait_for_postgres(self.pool, self.settings.postgres)
        if self.settings.migrate_on_start:
            await retry("PostgreSQL (migrations)", self._migrate)
        await retry("Kafka (producer)", self.producer.start)
        if self.directory is not None:
            self.directory.start(self.settings.kafka, self.settings.merchants_topic)
        if self.settings.consume:
            await self.app.start()
        self._stop.clear()
        self._tasks.append(
            asyncio.create_task(self.relay.run(self._stop, self.clock), name="relay")
        )
        if self.settings.schedule_enabled:
            self._tasks.append(
                asyncio.create_task(self.scheduler.run(self._stop), name="reminders")
            )
        self._tasks.append(asyncio.create_task(self._refresh_gauges(), name="gauges"))
        self.started = True

    def start_in_background(self) -> None:
        """Starts without holding up the HTTP server: /readyz answers 503 until started."""
        self._starting = asyncio.create_task(self.start(), name="start")
        self._starting.add_done_callback(_report_failed_start)

    async def _refresh_gauges(self) -> None:
        """Claims overdue for a first answer, from PostgreSQL (the alert reads it)."""
        target = self.settings.claim_rules().first_response_target
        while not self._stop.is_set():
            try:
                async with self.pool.acquire() as conn:
                    late = await pg_claims.overdue(conn, self.clock() - target)
                self.metrics.claims_overdue.set(late)
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                log.warning("claims gauge not refreshed (%s)", type(exc).__name__)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), self.settings.gauge_refresh_seconds)

    async def _migrate(self) -> None:
        async with self.pool.acquire() as conn:
            await migrate(conn)

    async def stop(self) -> None:
        if self._starting is not None and not self._starting.done():
            self._starting.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._starting
        self.started = False
        if self.settings.consume:
            await self.app.stop()  # the batch in hand is finished (graceful_timeout)
        self._stop.set()
        self.relay.wake.set()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()
        if self._metrics_server is not None:
            self._metrics_server.shutdown()
            self._metrics_server = None
        if self.directory is not None:
            await self.directory.stop()
        await self.producer.stop()
        if self.owns_pool:
            await self.pool.close()

    async def ready(self) -> bool:
        if not self.started:
            return False
        try:
            async with self.pool.acquire(timeout=2) as conn:
                await conn.fetchval("SELECT 1", timeout=2)
        except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError):
            return False
        return True


async def bootstrap(
    settings: AftersalesSettings,
    *,
    pool: asyncpg.Pool | None = None,
    registry: CollectorRegistry | None = None,
    clock: Clock = utc_now,
) -> AftersalesService:
    """Builds everything (nothing started)."""
    registry = registry or service_registry()
    metrics = AftersalesMetrics(registry)
    owns_pool = pool is None
    pool = pool if pool is not None else await lazy_pool(settings.postgres)
    producer = make_producer(settings.kafka, client_id=f"{settings.kafka.client_id}-aftersales")
    sink = KafkaSink(producer)
    relay = OutboxRelay(
        pool, sink, {"returns": settings.returns_topic, "claims": settings.claims_topic},
        idle_seconds=settings.relay_idle_seconds,
        metrics=metrics,
    )  # fmt: skip
    returns = Returns(pool, clock, relay.wake.set, metrics)
    claims = Claims(pool, clock, settings.claim_rules(), relay.wake.set)
    token_key = settings.tokens.token_key
    intake = Intake(
        pool, Topics(settings.orders_topic, settings.status_topic, settings.alerts_topic),
        token_key, metrics,
        DeadLetterQueue(sink, settings.dlq_topic), clock=clock, on_events=relay.wake.set,
    )  # fmt: skip
    scheduler = Scheduler(
        pool, metrics, clock=clock, idle_seconds=settings.schedule_idle_seconds,
        on_events=relay.wake.set,
    )  # fmt: skip
    broker, _ = build_broker(settings, intake)
    pairs = settings.merchant_key_pairs()
    directory = MerchantDirectory(pairs) if settings.merchant_directory else None
    merchants: KeyLookup = directory if directory is not None else MerchantKeys(pairs)
    context = ApiContext(
        pool=pool, returns=returns, claims=claims,
        merchants=merchants,
        token_key=token_key, forms=FormTokens(token_key, settings.form_ttl_seconds),
        metrics=metrics, clock=clock,
        limits=(Limit("page", settings.page_posts_per_hour, timedelta(hours=1)),
                Limit("client", settings.client_posts_per_hour, timedelta(hours=1))),
    )  # fmt: skip
    return AftersalesService(
        settings, registry, metrics, pool, producer, returns, intake, relay, scheduler,
        build_app(broker), context, clock, owns_pool, directory=directory,
    )  # fmt: skip
