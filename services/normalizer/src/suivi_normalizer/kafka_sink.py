"""EventSink over an aiokafka producer (acks=all, idempotent: see suivi_infra.kafka)."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any

from aiokafka import AIOKafkaProducer

from suivi_normalizer.pipeline import Headers


class KafkaSink:
    def __init__(self, producer: AIOKafkaProducer) -> None:
        self.producer = producer

    async def send(
        self, topic: str, value: bytes, key: bytes | None, headers: Headers | None
    ) -> Awaitable[Any]:
        future: Awaitable[Any] = await self.producer.send(topic, value, key=key, headers=headers)
        return future
