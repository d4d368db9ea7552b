"""FastStream entrypoint: consumes orders and status events in batches; the offsets are
committed only after the batch's decisions are committed in PostgreSQL (and its dead letters
acknowledged). Any failure NACKs the batch: it is consumed again, and its effects are
idempotent (newest snapshot wins, events not newer than a shipment's latest change nothing)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from faststream import FastStream
from faststream.kafka import KafkaBroker, KafkaMessage
from faststream.message import StreamMessage
from faststream.middlewares import AckPolicy

from suivi_notifier.pipeline import Intake
from suivi_notifier.settings import NotifierSettings

log = logging.getLogger(__name__)


async def _bodies_as_is(message: StreamMessage[Any]) -> Any:
    """The intake reads the records themselves: skip FastStream's JSON decoding."""
    return message.body


def build_broker(
    settings: NotifierSettings, intake: Intake
) -> tuple[KafkaBroker, Callable[[], Any]]:
    """The broker, and a getter of its aiokafka consumer (created when the broker starts)."""
    broker = KafkaBroker(
        settings.kafka.bootstrap_servers,
        client_id=f"{settings.kafka.client_id}-notifier",
        acks="all",
        enable_idempotence=True,
        graceful_timeout=settings.shutdown_timeout_seconds,
        logger=log,
        # Per-batch "Received"/"Processed" lines at DEBUG: INFO stays readable under load.
        log_level=logging.DEBUG,
    )

    subscriber = broker.subscriber(
        settings.orders_topic,
        settings.status_topic,
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
            await intake.process(message.raw_message)
        except Exception as exc:
            log.error("batch not recorded (%s); it will be consumed again", type(exc).__name__)
            await asyncio.sleep(settings.retry_backoff_seconds)
            raise

    return broker, lambda: subscriber.consumer


def build_app(broker: KafkaBroker) -> FastStream:
    return FastStream(broker, logger=log)
