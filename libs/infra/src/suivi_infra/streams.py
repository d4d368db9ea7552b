"""The consumer side every Suivi service shares: a FastStream batch subscriber that commits
offsets only after the batch's effects are durable.

`process(records)` gets the batch's aiokafka records as consumed. When it raises because of
some records (a value PostgreSQL refuses, a bug one record triggers), the batch is split until
those are alone; they go to the consumer's dead-letter topic and the rest is processed
(`suivi_infra.poison`). When it raises because of the infrastructure (Kafka, PostgreSQL), the
batch is NACKed (each partition rewound to its first record), consumed again after a short
pause, and never committed. AckPolicy.ACK_FIRST (FastStream's default for Kafka) would be
at-most-once; NACK_ON_ERROR alone would re-read a poison record forever.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Protocol

from faststream.exceptions import NackMessage
from faststream.kafka import KafkaBroker, KafkaMessage
from faststream.message import StreamMessage
from faststream.middlewares import AckPolicy

from suivi_infra.poison import DeadLetters, ProcessBatch, process_isolating_poison
from suivi_infra.settings import KafkaSettings
from suivi_infra.startup import RetryingKafkaBroker

__all__ = ["BatchHandler", "ConsumerSettings", "DeadLetters", "ProcessBatch", "batch_broker"]


class ConsumerSettings(Protocol):
    """What `consumer_broker` reads from a consuming service's settings."""

    @property
    def kafka(self) -> KafkaSettings: ...

    @property
    def group_id(self) -> str: ...

    @property
    def max_records(self) -> int: ...

    @property
    def batch_timeout_ms(self) -> int: ...

    @property
    def shutdown_timeout_seconds(self) -> float: ...

    @property
    def retry_backoff_seconds(self) -> float: ...


class BatchHandler(DeadLetters, Protocol):
    """A service's batch handler: processes a batch, and is its own dead-letter topic."""

    def process(self, records: Any) -> Awaitable[object]: ...


async def _bodies_as_is(message: StreamMessage[Any]) -> Any:
    """The services read the records themselves: skip FastStream's per-record JSON decoding."""
    return message.body


def batch_broker(
    kafka: KafkaSettings,
    *,
    service: str,
    topics: Sequence[str],
    group_id: str,
    max_records: int,
    batch_timeout_ms: int,
    shutdown_timeout_seconds: float,
    retry_backoff_seconds: float,
    process: ProcessBatch,
    log: logging.Logger,
    dead_letters: DeadLetters | None = None,
) -> tuple[KafkaBroker, Callable[[], Any]]:
    """The broker with its one batch subscriber (several topics: one batch, one transaction),
    and a getter of the aiokafka consumer it creates when it starts (for the lag gauge);
    without `dead_letters`, any failure NACKs the batch."""
    broker = RetryingKafkaBroker(  # Kafka away at start: retried, never an exit
        kafka.bootstrap_servers,
        client_id=f"{kafka.client_id}-{service}",
        acks="all",
        enable_idempotence=True,
        # Above the slowest batch: a handler cut by the shutdown timeout could be acked.
        graceful_timeout=shutdown_timeout_seconds,
        logger=log,
        # Per-batch "Received"/"Processed" lines at DEBUG: INFO stays readable under load.
        log_level=logging.DEBUG,
    )
    subscriber = broker.subscriber(
        *topics,
        group_id=group_id,
        batch=True,
        max_records=max_records,
        batch_timeout_ms=batch_timeout_ms,
        ack_policy=AckPolicy.NACK_ON_ERROR,
        auto_offset_reset="earliest",
        isolation_level="read_committed",
        decoder=_bodies_as_is,
        fetch_min_bytes=kafka.fetch_min_bytes,
        fetch_max_wait_ms=kafka.fetch_max_wait_ms,
        max_partition_fetch_bytes=kafka.max_partition_fetch_bytes,
    )

    @subscriber
    async def on_batch(_: Any, message: KafkaMessage) -> None:
        try:
            await process_isolating_poison(message.raw_message, process, dead_letters, log)
        except Exception as exc:
            # The type only: an exception's message may quote the records (personal data).
            log.error("batch not processed (%s); it will be consumed again", type(exc).__name__)
            log.debug("batch failure", exc_info=True)
            await asyncio.sleep(retry_backoff_seconds)
            # NACKed as an error would be, but FastStream then logs no traceback with the
            # exception's message (a database error's may quote a row) on every retry.
            raise NackMessage() from None

    return broker, lambda: subscriber.consumer


def consumer_broker(
    settings: ConsumerSettings,
    service: str,
    topics: Sequence[str | None],
    handler: BatchHandler,
    log: logging.Logger,
) -> tuple[KafkaBroker, Callable[[], Any]]:
    """`batch_broker` as every consuming service builds it from its settings: the topics it is
    given (an empty or unset one is not followed), `handler` processing and dead-lettering."""
    return batch_broker(
        settings.kafka,
        service=service,
        topics=tuple(topic for topic in topics if topic),
        group_id=settings.group_id,
        max_records=settings.max_records,
        batch_timeout_ms=settings.batch_timeout_ms,
        shutdown_timeout_seconds=settings.shutdown_timeout_seconds,
        retry_backoff_seconds=settings.retry_backoff_seconds,
        process=handler.process,
        log=log,
        dead_letters=handler,
    )
