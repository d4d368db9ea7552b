"""What the notifier writes to Kafka: NotificationResult records and dead letters."""

from __future__ import annotations

from collections.abc import Awaitable, Sequence
from typing import Any

from aiokafka import AIOKafkaProducer

from suivi_infra.dlq import DeadLetterQueue
from suivi_infra.poison import Failure
from suivi_infra.records import KafkaSink
from suivi_notifier.adapters.pg_outbox import OutboxRecord


class KafkaOut:
    def __init__(self, producer: AIOKafkaProducer, *, results_topic: str, dlq_topic: str) -> None:
        self.producer = producer
        self.results_topic = results_topic
        self.dlq_topic = dlq_topic
        self.dead_letters = DeadLetterQueue(KafkaSink(producer), dlq_topic)

    async def publish_results(self, records: list[OutboxRecord]) -> list[Awaitable[Any]]:
        return [
            await self.producer.send(self.results_topic, r.payload.encode(), key=r.key.encode())
            for r in records
        ]

    async def send(self, failures: Sequence[Failure]) -> None:
        """Dead letters (suivi_infra.poison.DeadLetters), acknowledged when this returns."""
        await self.dead_letters.send(failures)
