"""Composition root: settings → one Kafka producer → both publishers → app and lifecycle."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from aiokafka import AIOKafkaProducer
from fastapi import FastAPI

from suivi_infra.kafka import make_producer
from suivi_infra.merchants import MerchantDirectory
from suivi_infra.message_size import producer_codec
from suivi_infra.metrics import metrics_server, service_registry
from suivi_ingest.app import create_app
from suivi_ingest.kafka import IngestProducer
from suivi_ingest.orders.publisher import KafkaOrderEventPublisher
from suivi_ingest.settings import IngestSettings
from suivi_ingest.webhooks.publisher import KafkaRawEventPublisher


def build_producer(settings: IngestSettings) -> IngestProducer:
    kafka = settings.kafka

    def producer() -> AIOKafkaProducer:
        return make_producer(
            kafka,
            client_id=f"{kafka.client_id}-ingest",
            compression_type=producer_codec(settings.compression),
            max_request_size=settings.max_request_bytes,
            linger_ms=settings.linger_ms,
            # A batch of many records stays within what one topic message may be.
            max_batch_size=min(256 * 1024, settings.max_message_bytes),
        )

    return IngestProducer(
        producer,
        kafka,
        probe_seconds=settings.readiness_probe_seconds,
        max_message_bytes=settings.max_message_bytes,
        compression=settings.compression,
    )


def build_app(settings: IngestSettings | None = None) -> FastAPI:
    """The service as it runs: the producer starts with the app and is flushed when it stops."""
    settings = settings if settings is not None else IngestSettings()
    producer = build_producer(settings)

    registry = service_registry()
    # merchants.v1 read from the beginning and followed; until it is, the environment keys work.
    directory = MerchantDirectory() if settings.merchant_directory else None

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        with metrics_server(registry, settings.metrics_host, settings.metrics_port):
            if directory is not None:
                directory.start(settings.kafka, settings.merchants_topic)
            await producer.start()
            try:
                yield
            finally:
                await producer.stop()
                if directory is not None:
                    await directory.stop()

    publisher = KafkaRawEventPublisher(producer, settings.raw_topic)
    orders = KafkaOrderEventPublisher(producer, settings.orders_topic)
    return create_app(
        settings, publisher, registry=registry, lifespan=lifespan, orders=orders,
        directory=directory,
    )  # fmt: skip
