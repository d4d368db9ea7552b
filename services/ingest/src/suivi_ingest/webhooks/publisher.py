"""Where accepted webhooks go: the `RawEventPublisher` port and its Kafka adapter."""

from __future__ import annotations

from typing import Protocol

from suivi_ingest.kafka import IngestProducer, TopicPublisher
from suivi_schemas.raw import RawProviderEvent


class RawEventPublisher(Protocol):
    async def publish_json(self, value: bytes, key: str) -> None:
        """Stores one `RawProviderEvent` already serialized (`webhooks/envelope.py`); returns
        only once it is durable (Kafka acks=all); raises otherwise."""

    async def ready(self) -> bool:
        """True when an event published now would be stored."""


def serialize(event: RawProviderEvent) -> bytes:
    """The contract's own serialization: what `envelope.encode` must equal, byte for byte."""
    # Straight to bytes: no intermediate str copy of the (possibly large) body.
    return RawProviderEvent.__pydantic_serializer__.to_json(event)


class KafkaRawEventPublisher(TopicPublisher[RawProviderEvent]):
    """Raw events to `tracking.raw.v1` on the process's one producer."""

    def __init__(self, producer: IngestProducer, topic: str) -> None:
        super().__init__(producer, topic, serialize)
        self._producer = producer

    async def publish_json(self, value: bytes, key: str) -> None:
        await self._producer.send(self._topic, value, key)

    async def ready(self) -> bool:
        return await self._producer.ready()
