"""Composition root: settings → pool, producer, mailer → handlers → app, with one start/stop;
the merchant records are republished in full at start and periodically (compaction keeps the
latest per merchant, so a republish is harmless and mends a publish that failed)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import asyncpg
import httpx
from aiokafka import AIOKafkaProducer
from fastapi import FastAPI
from prometheus_client import CollectorRegistry

from suivi_console.adapters.kafka_out import KafkaRecordPublisher
from suivi_console.app import create_app
from suivi_console.db.migrate import migrate
from suivi_console.handlers.accounts import Accounts, Mailer
from suivi_console.handlers.merchants import Merchants
from suivi_console.handlers.records import Propagation, RecordPublisher
from suivi_console.handlers.team import Team
from suivi_console.metrics import ConsoleMetrics
from suivi_console.settings import ConsoleSettings
from suivi_console.web.deps import ConsoleContext
from suivi_infra.kafka import make_producer
from suivi_infra.mail import SmtpMailer, smtp_config
from suivi_infra.metrics import service_registry
from suivi_infra.postgres import lazy_pool, wait_for_postgres
from suivi_infra.startup import retry
from suivi_infra.tokens import TokenSettings
from suivi_schemas.merchants import MerchantRecord

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


class CountingPublisher:
    def __init__(self, inner: RecordPublisher, metrics: ConsoleMetrics) -> None:
        self.inner, self.metrics = inner, metrics

    async def publish(self, record: MerchantRecord) -> None:
        try:
            await self.inner.publish(record)
        except Exception:
            self.metrics.publish_failures.inc()
            raise
        self.metrics.published.inc()


def mailer_of(settings: ConsoleSettings) -> SmtpMailer:
    return SmtpMailer(smtp_config(settings))


@dataclass
class ConsoleService:
    settings: ConsoleSettings
    pool: asyncpg.Pool
    producer: AIOKafkaProducer
    http: httpx.AsyncClient
    context: ConsoleContext
    propagation: Propagation
    registry: CollectorRegistry
    metrics: ConsoleMetrics
    app: FastAPI = field(init=False)
    owns_pool: bool = True
    started: asyncio.Event = field(default_factory=asyncio.Event)
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)

    async def ready(self) -> bool:
        return self.started.is_set()

    async def start(self) -> None:
        await wait_for_postgres(self.pool, self.settings.postgres)
        if self.settings.migrate_on_start:
            async with self.pool.acquire() as conn:
                await migrate(conn)
        await retry("Kafka", self.producer.start)
        self.started.set()
        self.metrics.ready.set(1)
        self._tasks.append(asyncio.create_task(self._republish()))

    async def _republish(self) -> None:
        while True:
            with contextlib.suppress(asyncpg.PostgresError, OSError):
                await self.propagation.everyone()
            await asyncio.sleep(self.settings.republish_seconds)

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self.producer.stop()
        await self.http.aclose()
        if self.owns_pool:
            await self.pool.close()

    @asynccontextmanager
    async def lifespan(self, app: FastAPI) -> AsyncIterator[None]:
        await self.start()
        try:
            yield
        finally:
            await self.stop()


async def build(
    settings: ConsoleSettings, *, pool: asyncpg.Pool | None = None, clock: Clock = utc_now,
    mailer: Mailer | None = None, token_key: TokenSettings | None = None,
) -> ConsoleService:  # fmt: skip
    # Awaited, the lazy pool opens no connection yet: the service starts while PostgreSQL is away.
    pool = pool if pool is not None else await lazy_pool(settings.postgres)
    registry = service_registry()
    metrics = ConsoleMetrics(registry)
    producer = make_producer(settings.kafka, client_id=f"{settings.kafka.client_id}-console")
    publisher = CountingPublisher(KafkaRecordPublisher(producer, settings.merchants_topic), metrics)
    sealing = settings.sealing_key.get_secret_value() if settings.sealing_key else None
    propagation = Propagation(pool, publisher, clock, sealing)
    accounts = Accounts(
        pool=pool, clock=clock, sessions=settings.session_policy(),
        throttle=settings.throttle_policy(), secret_key=settings.secret_key.get_secret_value(),
        mailer=mailer or mailer_of(settings), public_base_url=settings.public_base_url,
        reset_ttl=timedelta(minutes=settings.reset_link_minutes),
    )  # fmt: skip
    merchants = Merchants(pool, clock, propagation, settings.key_grace)
    http = httpx.AsyncClient(timeout=settings.http_timeout_seconds)
    tokens = token_key or TokenSettings()
    team = Team(pool, clock, accounts.mailer, accounts.secret_key, settings.public_base_url)
    context = ConsoleContext(settings, pool, accounts, merchants, team, http, tokens.token_key)
    service = ConsoleService(
        settings, pool, producer, http, context, propagation, registry, metrics
    )
    service.app = create_app(context, service.ready)
    service.app.router.lifespan_context = service.lifespan
    return service
