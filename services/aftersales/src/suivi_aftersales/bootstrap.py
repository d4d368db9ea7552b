"""Composition root: settings → pool, producer → returns handler, intake (consumer), outbox
relay, reminder scheduler and HTTP app, with one start/stop for them all.

One process runs them all (like the tracker): they share the pool, and the handlers wake the
relay as soon as they wrote events. Instances scale out as they are: the consumer group splits
the partitions, the scheduler claims with SKIP LOCKED, and one relay at a time holds the
outbox's advisory lock (so a return's events keep their order)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import ClassVar

import asyncpg
from aiokafka import AIOKafkaProducer
from fastapi import FastAPI
from faststream import FastStream
from prometheus_client import CollectorRegistry

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
from suivi_aftersales.web.fonts import find_fonts
from suivi_aftersales.web.forms import FormTokens
from suivi_infra.dlq import DeadLetterQueue
from suivi_infra.kafka import make_producer
from suivi_infra.lifecycle import HttpService
from suivi_infra.merchant_keys import MerchantKeys
from suivi_infra.merchants import KeyLookup, MerchantDirectory
from suivi_infra.metrics import service_registry
from suivi_infra.postgres import lazy_pool
from suivi_infra.records import KafkaSink

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class AftersalesService(HttpService):
    name: ClassVar[str] = "aftersales"
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
    directory: MerchantDirectory | None = None  # followed from start to stop
    api: FastAPI = field(init=False)

    def __post_init__(self) -> None:
        self.serve(create_api(self.api_context, self.ready))

    async def migrate_schema(self, conn: asyncpg.Connection) -> None:
        await migrate(conn)

    def after_consumer(self) -> None:
        self.run(self.relay.run(self.stopping, self.clock), "relay")
        if self.settings.schedule_enabled:
            self.run(self.scheduler.run(self.stopping), "reminders")
        seconds = self.settings.gauge_refresh_seconds
        self.run(self.every(seconds, self._refresh_gauges, "claims gauge"), "gauges")

    async def _refresh_gauges(self) -> None:
        """Claims overdue for a first answer, from PostgreSQL (the alert reads it)."""
        target = self.settings.claim_rules().first_response_target
        async with self.pool.acquire() as conn:
            late = await pg_claims.overdue(conn, self.clock() - target)
        self.metrics.claims_overdue.set(late)

    def on_stopping(self) -> None:
        self.relay.wake.set()


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
        pdf_fonts=find_fonts(settings.dossier_font_dirs),
    )  # fmt: skip
    return AftersalesService(
        settings, registry, metrics, pool, producer, returns, intake, relay, scheduler,
        build_app(broker), context, clock, owns_pool, directory=directory,
    )  # fmt: skip
