"""What the notifier writes to Kafka: NotificationResult records and dead letters."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any

from aiokafka import AIOKafkaProducer

from suivi_infra.dlq import dead_letter_headers
from suivi_infra.records import ConsumedRecord
from suivi_notifier.adapters.pg_outbox import OutboxRecord


class KafkaOut:
    def __init__(self, producer: AIOKafkaProducer, *, results_topic: str, dlq_topic: str) -> None:
        self.producer = producer
        self.results_topic = results_topic
        self.dlq_topic = dlq_topic

    async def publish_results(self, records: list[OutboxRecord]) -> list[Awaitable[Any]]:
        return [
            await self.producer.send(self.results_topic, r.payload.encode(), key=r.key.encode())
            for r in records
        ]

    async def dead_letter(self, record: ConsumedRecord, exc: BaseException) -> Awaitable[Any]:
        fut: Awaitable[Any] = await self.producer.send(
            self.dlq_topic,
            record.value or b"",
            key=record.key,
            headers=dead_letter_headers(record, exc),
        )
        return fut
