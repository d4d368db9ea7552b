"""Where accepted orders go: the `OrderEventPublisher` port and its Kafka adapter.

The adapter sends on the process's one producer (`suivi_ingest.kafka`: idempotent, acks=all,
one connection, one readiness), to `commerce.orders.v1`, keyed `merchant:order_number`.
"""

from __future__ import annotations

from typing import Protocol

from suivi_ingest.kafka import RecordSender, TopicPublisher
from suivi_schemas.orders import OrderEvent


class OrderEventPublisher(Protocol):
    async def publish(self, event: OrderEvent, key: str) -> None:
        """Returns only once the event is durable (Kafka acks=all); raises otherwise."""


def serialize_order(event: OrderEvent) -> bytes:
    # The event's own class: an `OrderEvent` keeps its additional fields.
    return event.__pydantic_serializer__.to_json(event)


class KafkaOrderEventPublisher(TopicPublisher[OrderEvent]):
    """Orders to `commerce.orders.v1` on the process's one producer."""

    def __init__(self, producer: RecordSender, topic: str) -> None:
        super().__init__(producer, topic, serialize_order)
