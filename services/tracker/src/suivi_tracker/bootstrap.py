"""Composition root: settings → pool, producer, sources → start handler, scheduler, consumer and
HTTP API, with one start/stop for them all.

One process runs all three (like the notifier): they share the pool and the sources' rate
limiters, token buckets and OAuth tokens, which a second process would duplicate (and so
overrun the documented limits). Instances scale out as they are: claims are safe with many
schedulers, and the consumer group splits the partitions.
"""

from __future__ import annotations

import contextlib
import logging
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import ClassVar

import asyncpg
from aiokafka import AIOKafkaProducer
from fastapi import FastAPI
from faststream import FastStream
from prometheus_client import CollectorRegistry

from suivi_infra.dlq import DeadLetterQueue
from suivi_infra.kafka import make_producer
from suivi_infra.lifecycle import HttpService
from suivi_infra.merchant_keys import MerchantKeys
from suivi_infra.merchants import KeyLookup, MerchantDirectory
from suivi_infra.metrics import service_registry
from suivi_infra.postgres import lazy_pool
from suivi_infra.records import KafkaSink
from suivi_infra.startup import retry
from suivi_tracker.adapters import pg_store
from suivi_tracker.adapters.legs_out import LegPublisher
from suivi_tracker.adapters.raw_out import RawPublisher
from suivi_tracker.adapters.sources.config import build_sources
from suivi_tracker.api.deps import ApiContext
from suivi_tracker.app import create_api
from suivi_tracker.consumer import build_app, build_broker
from suivi_tracker.db.migrate import migrate
from suivi_tracker.domain.sources import Source
from suivi_tracker.handlers.breakers import Breakers
from suivi_tracker.handlers.intake import Intake, Topics
from suivi_tracker.handlers.legs import LegIntake
from suivi_tracker.handlers.rounds import Scheduler
from suivi_tracker.handlers.start import StartTracking
from suivi_tracker.metrics import TrackerMetrics
from suivi_tracker.settings import TrackerSettings

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class TrackerService(HttpService):
    name: ClassVar[str] = "tracker"
    settings: TrackerSettings
    registry: CollectorRegistry
    metrics: TrackerMetrics
    pool: asyncpg.Pool
    producer: AIOKafkaProducer
    sources: list[Source]
    starter: StartTracking
    scheduler: Scheduler
    intake: Intake
    app: FastStream
    api_context: ApiContext
    owns_pool: bool = True
    directory: MerchantDirectory | None = None  # followed from start to stop
    api: FastAPI = field(init=False)

    def __post_init__(self) -> None:
        self.serve(create_api(self.api_context, self.ready))

    async def migrate_schema(self, conn: asyncpg.Connection) -> None:
        await migrate(conn)

    async def before_producer(self) -> None:
        await retry("PostgreSQL (re-routing)", self._reroute)

    async def _reroute(self) -> None:
        async with self.pool.acquire() as conn:
            moved = await self.starter.reroute_unsupported(conn, self.scheduler.clock())
        if moved:
            log.info("%d unsupported trackings routed to a source configured since", moved)

    def after_consumer(self) -> None:
        if self.settings.schedule_enabled:
            self.run(self.scheduler.run(self.stopping), "rounds")
        seconds = self.settings.gauge_refresh_seconds
        self.run(self.every(seconds, self._refresh_gauge, "trackings gauge"), "trackings-gauge")

    async def _refresh_gauge(self) -> None:
        """Trackings by state and source, from PostgreSQL (a GROUP BY on an index, every
        `gauge_refresh_seconds`): what every instance reports is the same total."""
        async with self.pool.acquire() as conn:
            rows = await pg_store.counts(conn)
        self.metrics.trackings.clear()
        for row in rows:
            self.metrics.trackings.labels(row["state"], row["source"]).set(row["n"])

    async def close(self) -> None:
        for source in self.sources:
            with contextlib.suppress(Exception):
                await source.close()


async def bootstrap(
    settings: TrackerSettings,
    *,
    sources: Sequence[Source] | None = None,
    pool: asyncpg.Pool | None = None,
    registry: CollectorRegistry | None = None,
    clock: Clock = utc_now,
    rng: random.Random | None = None,
) -> TrackerService:
    """Builds everything (nothing started); `sources` replaces the configured ones in tests."""
    registry = registry or service_registry()
    metrics = TrackerMetrics(registry)
    rng = rng or random.Random()  # noqa: S311 - jitter, not secrets
    owns_pool = pool is None
    # Needs no server: connects once PostgreSQL answers (start() waits for it).
    pool = pool if pool is not None else await lazy_pool(settings.postgres)
    built = list(sources) if sources is not None else build_sources(settings.sources)
    by_name = {s.name: s for s in built}
    producer = make_producer(settings.kafka, client_id=f"{settings.kafka.client_id}-tracker")
    sink = KafkaSink(producer)
    publisher = RawPublisher(sink, settings.raw_topic, settings.instance)
    starter = StartTracking(built, settings.preference(), settings.overrides())
    policy = settings.schedule.policy()
    breakers = Breakers(settings.circuit_policy(), metrics)
    scheduler = Scheduler(
        pool, by_name, publisher, metrics, breakers, policy, settings.round_config(),
        clock=clock, rng=rng,
    )  # fmt: skip
    topics = Topics(
        orders=settings.orders_topic, status=settings.status_topic, returns=settings.returns_topic
    )
    dead_letters = DeadLetterQueue(sink, settings.dlq_topic)
    intake = LegIntake(
        pool, starter, topics, metrics, policy, dead_letters, clock=clock, rng=rng,
        legs_topic=settings.legs_topic,
    )  # fmt: skip
    broker, _ = build_broker(settings, intake)
    pairs = settings.merchant_key_pairs()
    directory = MerchantDirectory(pairs) if settings.merchant_directory else None
    merchants: KeyLookup = directory if directory is not None else MerchantKeys(pairs)
    context = ApiContext(
        pool=pool, starter=starter, merchants=merchants,
        metrics=metrics, sources=by_name, clock=clock,
        call_timeout_seconds=settings.call_timeout_seconds,
        legs_out=LegPublisher(sink, settings.legs_topic) if settings.legs_topic else None,
    )  # fmt: skip
    return TrackerService(
        settings, registry, metrics, pool, producer, built, starter, scheduler, intake,
        build_app(broker), context, owns_pool, directory=directory,
    )  # fmt: skip
