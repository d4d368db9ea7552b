"""Composition root: settings → producer → pipeline → FastStream app (+ metrics endpoint)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from aiokafka import AIOKafkaProducer
from faststream import FastStream
from faststream.kafka import KafkaBroker
from prometheus_client import CollectorRegistry, start_http_server

from suivi_infra.kafka import make_producer
from suivi_infra.lag import ConsumerLag
from suivi_infra.metrics import service_registry
from suivi_infra.records import KafkaSink
from suivi_infra.startup import Readiness, retry
from suivi_normalizer.consumer import build_app, build_broker
from suivi_normalizer.domain.dedup import RecentIds
from suivi_normalizer.handlers.handoffs import LinkingNormalizer
from suivi_normalizer.handlers.pipeline import Normalizer
from suivi_normalizer.metrics import NormalizerMetrics
from suivi_normalizer.providers import places
from suivi_normalizer.settings import NormalizerSettings


@dataclass
class NormalizerService:
    settings: NormalizerSettings
    producer: AIOKafkaProducer
    normalizer: Normalizer
    broker: KafkaBroker
    app: FastStream
    registry: CollectorRegistry


def bootstrap(
    settings: NormalizerSettings | None = None, *, serve_metrics: bool = True
) -> NormalizerService:
    settings = settings or NormalizerSettings()
    registry = service_registry()
    metrics = NormalizerMetrics(registry)
    producer = make_producer(
        settings.kafka,
        client_id=f"{settings.kafka.client_id}-normalizer",
        linger_ms=settings.linger_ms,
        max_batch_size=settings.batch_bytes,
    )
    normalizer: Normalizer = LinkingNormalizer(
        KafkaSink(producer),
        metrics,
        status_topic=settings.status_topic,
        dlq_topic=settings.dlq_topic,
        recent=RecentIds(settings.recent_ids),
        legs_topic=settings.legs_topic,
    )
    broker, consumer_of = build_broker(settings, normalizer)
    app = build_app(broker)
    lag = ConsumerLag(registry)
    readiness = Readiness(registry)
    tasks: list[asyncio.Task[None]] = []

    @app.on_startup
    async def start_producer() -> None:
        # Metrics first: while Kafka is away they say so (suivi_service_ready 0).
        if serve_metrics and settings.metrics_port:
            start_http_server(settings.metrics_port, settings.metrics_host, registry=registry)
        # Place data (~3 s) is built while Kafka connects, not by the first body that needs it.
        await asyncio.gather(
            retry("Kafka (producer)", producer.start), asyncio.to_thread(places.warm)
        )
        # The broker's start (the consumer) retries likewise: suivi_infra.startup.

    @app.after_startup
    async def watch_lag() -> None:
        tasks.append(asyncio.create_task(lag.watch(consumer_of, settings.group_id)))
        readiness.set(True)

    @app.on_shutdown
    async def stop_watching() -> None:
        readiness.set(False)
        for task in tasks:
            task.cancel()

    @app.after_shutdown
    async def stop_producer() -> None:
        await producer.stop()  # flushes what is still buffered

    return NormalizerService(settings, producer, normalizer, broker, app, registry)
