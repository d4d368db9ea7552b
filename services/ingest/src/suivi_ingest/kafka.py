"""The process's one idempotent Kafka producer (acks=all): start, stop, ready, send.

Webhooks and orders both publish through it (`webhooks/publisher.py`, `orders/publisher.py`):
one connection, one readiness, one size check against max.message.bytes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Generic, Protocol, TypeVar

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError

from suivi_infra.message_size import TOO_LARGE_ERRORS, Compression, fits
from suivi_infra.readiness import kafka_answers
from suivi_infra.settings import KafkaSettings
from suivi_infra.startup import TRANSIENT, Backoff, retry
from suivi_infra.tasks import cancel
from suivi_schemas.topics import MAX_MESSAGE_BYTES

log = logging.getLogger(__name__)
E = TypeVar("E")
# Seconds from send to acks=all, for both intakes' publish-duration histograms.
PUBLISH_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class PublishError(Exception):
    """The event could not be stored durably (now); the sender should retry later."""


class EventTooLargeError(PublishError):
    """The record cannot fit in one Kafka message, even compressed: retrying cannot help."""

    def __init__(self, limit: int, size: int | None, compression: str) -> None:
        measured = f"{size} bytes" if size is not None else "larger, by the broker's measure,"
        super().__init__(
            f"the stored event would be {measured} (compression: {compression}), over Kafka's "
            f"limit of {limit} bytes per message"
        )
        self.limit, self.size = limit, size


class IngestProducer:
    """One long-lived idempotent producer (acks=all); reconnects in the background."""

    def __init__(
        self,
        producer_factory: Callable[[], AIOKafkaProducer],
        kafka: KafkaSettings,
        *,
        probe_seconds: float = 2.0,
        backoff: Backoff | None = None,
        max_message_bytes: int = MAX_MESSAGE_BYTES,
        compression: Compression = "none",
    ) -> None:
        self._factory = producer_factory
        self._kafka = kafka
        self._probe_seconds = probe_seconds
        self._backoff = backoff or Backoff()
        self._max_message_bytes = max_message_bytes
        self._compression: Compression = compression
        self._producer: AIOKafkaProducer | None = None
        self._reconnect: asyncio.Task[None] | None = None

    @property
    def connected(self) -> bool:
        return self._producer is not None

    async def start(self) -> None:
        """Connects, or keeps trying in the background so the HTTP side can answer 503."""
        if self._producer is not None or self._reconnect is not None:
            return
        try:
            await self._connect()
        except TRANSIENT as exc:
            log.warning("Kafka (producer) not available (%s); retrying", type(exc).__name__)
            # The back-off every service shares (suivi_infra.startup).
            retrying = retry("Kafka (producer)", self._connect, backoff=self._backoff)
            self._reconnect = asyncio.create_task(retrying, name="kafka-connect")

    async def stop(self) -> None:
        """Flushes what is in flight, then closes the producer."""
        await cancel(self._reconnect)
        self._reconnect = None
        producer, self._producer = self._producer, None
        if producer is not None:
            await producer.stop()
            log.info("Kafka producer flushed and stopped")

    async def send(self, topic: str, value: bytes, key: str) -> None:
        """One record to `topic`, durable when this returns (acks=all); raises otherwise."""
        # Measured before sending: too large for max.message.bytes is `EventTooLargeError`.
        limit, compression = self._max_message_bytes, self._compression
        encoded = key.encode()
        size = fits(encoded, value, compression, limit)
        if size is not None:
            raise EventTooLargeError(limit, size, compression)
        producer = self._producer
        if producer is None:
            raise PublishError("Kafka producer is not connected")
        try:
            await producer.send_and_wait(topic, value, key=encoded)
        except TOO_LARGE_ERRORS as exc:
            # The topic allows less than configured: as permanent as our own refusal.
            log.error(
                "%s refused a %d-byte record: max.message.bytes below %d?", topic, len(value), limit
            )
            raise EventTooLargeError(limit, None, compression) from exc
        except KafkaError as exc:
            raise PublishError(f"Kafka refused the event: {type(exc).__name__}") from exc

    async def ready(self) -> bool:
        return self._producer is not None and await kafka_answers(
            self._kafka, probe_seconds=self._probe_seconds
        )

    async def _connect(self) -> None:
        """One attempt, with a new producer (a failed one is closed)."""
        producer = self._factory()
        try:
            await producer.start()
        except BaseException:
            with contextlib.suppress(Exception):
                await producer.stop()
            raise
        self._producer = producer
        log.info("Kafka producer connected to %s", self._kafka.bootstrap_env)


class RecordSender(Protocol):
    async def send(self, topic: str, value: bytes, key: str) -> None:
        """One record, durable when this returns (`IngestProducer.send`)."""


class TopicPublisher(Generic[E]):
    """Events of one kind to one topic on the process's one producer (each intake names its
    own: `webhooks/publisher.py`, `orders/publisher.py`)."""

    def __init__(self, producer: RecordSender, topic: str, serialize: Callable[[E], bytes]) -> None:
        self._sender, self._topic, self._serialize = producer, topic, serialize

    @property
    def topic(self) -> str:
        return self._topic

    async def publish(self, event: E, key: str) -> None:
        """Returns once the event is durable (acks=all); raises otherwise."""
        await self._sender.send(self._topic, self._serialize(event), key)
