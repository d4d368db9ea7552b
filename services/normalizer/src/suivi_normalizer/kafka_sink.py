"""EventSink over an aiokafka producer (acks=all, idempotent: see suivi_infra.kafka).

Records are grouped per partition into aiokafka batches: far cheaper than one `send()` per
record, and still keyed: the partition is the one Java's default partitioner picks for the key,
and a partition's records keep their order.
"""

from __future__ import annotations

from collections.abc import Awaitable, Sequence
from typing import Any

from aiokafka import AIOKafkaProducer

from suivi_infra.kafka import keyed_partitioner
from suivi_normalizer.pipeline import OutRecord


class RecordTooLargeError(ValueError):
    pass


class KafkaSink:
    def __init__(self, producer: AIOKafkaProducer) -> None:
        self.producer = producer

    async def publish(self, topic: str, records: Sequence[OutRecord]) -> list[Awaitable[Any]]:
        partitions = sorted(await self.producer.partitions_for(topic))
        by_partition: dict[int, list[OutRecord]] = {}
        for record in records:
            partition = keyed_partitioner(record.key, partitions, partitions)
            by_partition.setdefault(partition, []).append(record)
        futures: list[Awaitable[Any]] = []
        for partition, queued in by_partition.items():
            batch = self.producer.create_batch()
            for record in queued:
                if self._append(batch, record):
                    continue
                futures.append(await self.producer.send_batch(batch, topic, partition=partition))
                batch = self.producer.create_batch()
                if not self._append(batch, record):
                    size = len(record.value)
                    raise RecordTooLargeError(f"a record of {size} bytes exceeds the batch size")
            futures.append(await self.producer.send_batch(batch, topic, partition=partition))
        return futures

    @staticmethod
    def _append(batch: Any, record: OutRecord) -> bool:
        metadata = batch.append(
            timestamp=None, key=record.key, value=record.value, headers=record.headers or []
        )
        return metadata is not None
