"""Composition root: settings → pool, producer → projector → FastStream app (+ metrics)."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import timedelta

import asyncpg
from aiokafka import AIOKafkaProducer
from faststream import FastStream
from faststream.kafka import KafkaBroker
from prometheus_client import CollectorRegistry, start_http_server

from suivi_infra import heap
from suivi_infra.kafka import make_producer
from suivi_infra.lag import ConsumerLag
from suivi_infra.metrics import service_registry
from suivi_infra.postgres import lazy_pool, wait_for_postgres
from suivi_infra.records import KafkaSink
from suivi_infra.startup import Readiness, retry
from suivi_projections.consumer import build_app, build_broker
from suivi_projections.db.migrate import migrate
from suivi_projections.domain.watch import StallDefaults
from suivi_projections.metrics import ProjectionsMetrics
from suivi_projections.monitor.worker import Monitor, MonitorConfig
from suivi_projections.settings import ProjectionsSettings
from suivi_projections.write.projector import Projector

log = logging.getLogger(__name__)


@dataclass
class ProjectorService:
    settings: ProjectionsSettings
    pool: asyncpg.Pool
    producer: AIOKafkaProducer
    projector: Projector
    monitor: Monitor
    broker: KafkaBroker
    app: FastStream
    registry: CollectorRegistry


def monitor_config(settings: ProjectionsSettings) -> MonitorConfig:
    """The monitor's configuration from the flat settings (settings import no layer's types)."""
    return MonitorConfig(
        alerts_topic=settings.alerts_topic,
        batch_size=settings.monitor_batch_size,
        check_interval=timedelta(seconds=settings.monitor_interval_seconds),
        learn_interval=timedelta(seconds=settings.learn_interval_seconds),
        history=timedelta(days=settings.learn_history_days),
        stall_percentile=settings.stall_percentile,
        stall_min_samples=settings.stall_min_samples,
        transit_min_samples=settings.transit_min_samples,
        defaults=StallDefaults(
            domestic=timedelta(days=settings.stall_domestic_days),
            international=timedelta(days=settings.stall_international_days),
            pickup_point=timedelta(days=settings.stall_pickup_point_days),
            minimum=timedelta(hours=settings.stall_minimum_hours),
        ),
    )


def bootstrap(
    settings: ProjectionsSettings | None = None,
    *,
    serve_metrics: bool = True,
    server_settings: dict[str, str] | None = None,
) -> ProjectorService:
    """server_settings: PostgreSQL session settings, e.g. a test's own `search_path`."""
    settings = settings or ProjectionsSettings()
    registry = service_registry()
    metrics = ProjectionsMetrics(registry)
    # Awaited by the startup hook below; connects once PostgreSQL answers.
    pool = lazy_pool(settings.postgres, server_settings=server_settings)
    producer = make_producer(settings.kafka, client_id=f"{settings.kafka.client_id}-projections")
    projector = Projector(
        pool,
        KafkaSink(producer),
        metrics,
        status_topic=settings.status_topic,
        orders_topic=settings.orders_topic,
        dlq_topic=settings.dlq_topic,
        reuse_after=settings.reuse_after,
        token_key=settings.tokens.token_key,
        legs_topic=settings.legs_topic,
        parts=settings.write_parts,
        parts_from=settings.write_parts_from,
    )
    monitor = Monitor(pool, KafkaSink(producer), monitor_config(settings), metrics)
    broker, consumer_of = build_broker(settings, projector)
    app = build_app(broker)
    lag = ConsumerLag(registry)
    readiness = Readiness(registry)
    tasks: list[asyncio.Task[None]] = []
    stop_monitor = asyncio.Event()

    @app.on_startup
    async def start() -> None:
        # Metrics first: while a dependency is away they say so (suivi_service_ready 0).
        if serve_metrics and settings.metrics_port:
            start_http_server(settings.metrics_port, settings.metrics_host, registry=registry)
        await pool
        await wait_for_postgres(pool, settings.postgres)
        if settings.migrate_on_start:
            await retry("PostgreSQL (migrations)", lambda: _migrate(pool))
        await retry("Kafka (producer)", producer.start)
        # The broker's start (the consumer) retries likewise: suivi_infra.startup.

    @app.after_startup
    async def watch_lag() -> None:
        heap.settle()  # see suivi_infra.heap
        readiness.set(True)
        tasks.append(asyncio.create_task(lag.watch(consumer_of, settings.group_id)))
        if settings.monitor_enabled:
            tasks.append(asyncio.create_task(monitor.run(stop_monitor)))

    @app.on_shutdown
    async def stop_watching() -> None:
        readiness.set(False)
        stop_monitor.set()  # a round in progress finishes: its alerts are recorded or rolled back
        for task in tasks[:1]:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    @app.after_shutdown
    async def stop() -> None:
        await producer.stop()
        await pool.close()

    return ProjectorService(settings, pool, producer, projector, monitor, broker, app, registry)


async def _migrate(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as conn:
        await migrate(conn)


async def serve() -> None:
    # aiokafka clients (and the pool) bind to the running loop: build the service inside it.
    await bootstrap().app.run()


def main() -> None:
    """`suivi-projector`: runs the projector until SIGINT/SIGTERM, then stops gracefully."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    logging.getLogger("aiokafka").setLevel(logging.WARNING)
    asyncio.run(serve())
