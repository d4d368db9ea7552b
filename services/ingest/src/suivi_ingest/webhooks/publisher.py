"""Where accepted webhooks go: the `RawEventPublisher` port and its Kafka adapter."""

from __future__ import annotations

from typing import Protocol

from suivi_ingest.kafka import IngestProducer, TopicPublisher
from suivi_schemas.raw import RawProviderEvent


class RawEventPublisher(Protocol):
    async def publish(self, event: RawProviderEvent, key: str) -> None:
        """Returns only once the event is durable (Kafka acks=all); raises otherwise."""

    async def ready(self) -> bool:
        """True when an event published now would be stored."""


def serialize(event: RawProviderEvent) -> bytes:
    # Straight to bytes: no intermediate str copy of the (possibly large) body.
    return RawProviderEvent.__pydantic_serializer__.to_json(event)


class KafkaRawEventPublisher(TopicPublisher[RawProviderEvent]):
    """Raw events to `tracking.raw.v1` on the process's one producer."""

    def __init__(self, producer: IngestProducer, topic: str) -> None:
        super().__init__(producer, topic, serialize)
        self._producer = producer

    async def ready(self) -> bool:
        return await self._producer.ready()
