"""Publishes merchant records on merchants.v1, keyed by merchant (acks=all, idempotent)."""

from __future__ import annotations

from aiokafka import AIOKafkaProducer

from suivi_schemas.merchants import MerchantRecord


class KafkaRecordPublisher:
    def __init__(self, producer: AIOKafkaProducer, topic: str) -> None:
        self.producer, self.topic = producer, topic

    async def publish(self, record: MerchantRecord) -> None:
        await self.producer.send_and_wait(
            self.topic,
            key=record.merchant_id.encode(),
            value=record.model_dump_json().encode(),
        )
