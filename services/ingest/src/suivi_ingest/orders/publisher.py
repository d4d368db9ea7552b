"""Where accepted orders go: the `OrderEventPublisher` port and its Kafka adapter.

The adapter sends on the process's one producer (`suivi_ingest.kafka`: idempotent, acks=all,
one connection, one readiness), to `commerce.orders.v1`, keyed `merchant:order_number`.
"""

from __future__ import annotations

from typing import Protocol

from suivi_schemas.orders import OrderEvent


class OrderEventPublisher(Protocol):
    async def publish(self, event: OrderEvent, key: str) -> None:
        """Returns only once the event is durable (Kafka acks=all); raises otherwise."""


class RecordSender(Protocol):
    async def send(self, topic: str, value: bytes, key: str) -> None:
        """One record, durable when this returns (`IngestProducer.send`)."""


def serialize_order(event: OrderEvent) -> bytes:
    # The event's own class: an `OrderEvent` keeps its additional fields.
    return event.__pydantic_serializer__.to_json(event)


class KafkaOrderEventPublisher:
    def __init__(self, producer: RecordSender, topic: str) -> None:
        self._producer = producer
        self._topic = topic

    @property
    def topic(self) -> str:
        return self._topic

    async def publish(self, event: OrderEvent, key: str) -> None:
        await self._producer.send(self._topic, serialize_order(event), key)
