"""FastStream entrypoint: both topics in one batch subscriber, offsets committed after effects."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from faststream import FastStream
from faststream.kafka import KafkaBroker, KafkaMessage
from faststream.message import StreamMessage
from faststream.middlewares import AckPolicy

from suivi_projections.projector import Projector
from suivi_projections.settings import ProjectionsSettings

log = logging.getLogger(__name__)


async def _bodies_as_is(message: StreamMessage[Any]) -> Any:
    """The projector reads the records themselves: skip FastStream's per-record JSON decoding."""
    return message.body


def build_broker(
    settings: ProjectionsSettings, projector: Projector
) -> tuple[KafkaBroker, Callable[[], Any]]:
    """The broker, and a getter of its aiokafka consumer (created when the broker starts)."""
    broker = KafkaBroker(
        settings.kafka.bootstrap_servers,
        client_id=f"{settings.kafka.client_id}-projections",
        acks="all",
        enable_idempotence=True,
        graceful_timeout=settings.shutdown_timeout_seconds,
        logger=log,
        # Per-batch "Received"/"Processed" lines at DEBUG: INFO stays readable under load.
        log_level=logging.DEBUG,
    )

    # One subscriber for both topics, so one batch is one transaction whatever it holds.
    # NACK_ON_ERROR: poison records never raise (they are dead-lettered), so an error here is
    # PostgreSQL or Kafka failing; the batch is then consumed again, never committed.
    subscriber = broker.subscriber(
        settings.status_topic,
        settings.orders_topic,
        group_id=settings.group_id,
        batch=True,
        max_records=settings.max_records,
        batch_timeout_ms=settings.batch_timeout_ms,
        ack_policy=AckPolicy.NACK_ON_ERROR,
        auto_offset_reset="earliest",
        isolation_level="read_committed",
        decoder=_bodies_as_is,
    )

    @subscriber
    async def on_batch(_: Any, message: KafkaMessage) -> None:
        try:
            await projector.process(message.raw_message)
        except Exception:
            log.exception("batch not applied; it will be consumed again")
            await asyncio.sleep(settings.retry_backoff_seconds)
            raise

    return broker, lambda: subscriber.consumer


def build_app(broker: KafkaBroker) -> FastStream:
    return FastStream(broker, logger=log)
