"""Kafka records as the services see them: what a consumer reads, what a producer sends, and
one sink that sends many records at once, keyed and acknowledged (acks=all, idempotent).

The sink groups records per partition into aiokafka batches: far cheaper than one `send()` per
record, and still keyed: the partition is the one Java's default partitioner picks for the key,
and a partition's records keep their order.
"""

from __future__ import annotations

from collections.abc import Awaitable, Sequence
from typing import Any, NamedTuple, Protocol

from aiokafka import AIOKafkaProducer

from suivi_infra.kafka import keyed_partitioner

Headers = list[tuple[str, bytes]]


class ConsumedRecord(Protocol):
    """The part of a consumed Kafka record the services read (aiokafka's ConsumerRecord)."""

    @property
    def topic(self) -> str: ...
    @property
    def partition(self) -> int: ...
    @property
    def offset(self) -> int: ...
    @property
    def key(self) -> bytes | None: ...
    @property
    def value(self) -> bytes | None: ...
    @property
    def headers(self) -> Sequence[tuple[str, bytes]]: ...


class OutRecord(NamedTuple):
    """A record to send (a tuple: built per event on the hot paths, where a frozen dataclass's
    __init__ cost three times as much)."""

    key: bytes | None
    value: bytes
    headers: Headers | None = None


class RecordSink(Protocol):
    """Queues records; awaiting every returned awaitable waits for the broker's acks."""

    async def publish(self, topic: str, records: Sequence[OutRecord]) -> list[Awaitable[Any]]: ...


_NO_HEADERS: Headers = []  # read, never written, by aiokafka's batch builder


class RecordTooLargeError(ValueError):
    pass


class KafkaSink:
    """RecordSink over an aiokafka producer (see `suivi_infra.kafka.make_producer`)."""

    def __init__(self, producer: AIOKafkaProducer) -> None:
        self.producer = producer

    async def publish(self, topic: str, records: Sequence[OutRecord]) -> list[Awaitable[Any]]:
        if not records:
            return []
        producer = self.producer
        partitions = sorted(await producer.partitions_for(topic))
        by_partition: dict[int, list[OutRecord]] = {}
        for record in records:
            partition = keyed_partitioner(record.key, partitions, partitions)
            queued = by_partition.get(partition)
            if queued is None:
                by_partition[partition] = [record]
            else:
                queued.append(record)
        futures: list[Awaitable[Any]] = []
        for partition, queued in by_partition.items():
            batch = producer.create_batch()
            append = batch.append
            for record in queued:
                headers = record.headers or _NO_HEADERS
                if append(timestamp=None, key=record.key, value=record.value, headers=headers):
                    continue
                futures.append(await self._send(batch, topic, partition))
                batch = producer.create_batch()
                append = batch.append
                if not append(timestamp=None, key=record.key, value=record.value, headers=headers):
                    size = len(record.value)
                    raise RecordTooLargeError(f"a record of {size} bytes exceeds the batch size")
            futures.append(await self._send(batch, topic, partition))
        return futures

    async def _send(self, batch: Any, topic: str, partition: int) -> Awaitable[Any]:
        # Closed, the batch goes with the sender's next request instead of lingering
        # (aiokafka's MessageBatch.remaining_linger): it is complete, and the caller awaits
        # its acknowledgement before committing, idle meanwhile.
        batch.close()
        future: Awaitable[Any] = await self.producer.send_batch(batch, topic, partition=partition)
        return future
