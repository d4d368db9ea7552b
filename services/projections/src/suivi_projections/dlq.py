"""Dead letters: a record the projector cannot apply goes, unchanged, to the DLQ with why."""

from __future__ import annotations

from collections.abc import Awaitable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from aiokafka import AIOKafkaProducer

from suivi_infra.dlq import dead_letter_headers

Headers = list[tuple[str, bytes]]


class ConsumedRecord(Protocol):
    """The part of a consumed Kafka record the projector reads (aiokafka's ConsumerRecord)."""

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


@dataclass(frozen=True, slots=True)
class OutRecord:
    key: bytes | None
    value: bytes
    headers: Headers


class DeadLetterSink(Protocol):
    """Queues records; awaiting every returned awaitable waits for the broker's acks."""

    async def publish(self, topic: str, records: Sequence[OutRecord]) -> list[Awaitable[Any]]: ...


class ProducerSink:
    """DeadLetterSink over an aiokafka producer (acks=all, idempotent: suivi_infra.kafka)."""

    def __init__(self, producer: AIOKafkaProducer) -> None:
        self.producer = producer

    async def publish(self, topic: str, records: Sequence[OutRecord]) -> list[Awaitable[Any]]:
        return [
            await self.producer.send(topic, r.value, key=r.key, headers=r.headers) for r in records
        ]


def dead_letter(record: ConsumedRecord, exc: BaseException) -> OutRecord:
    """The record as consumed, with the shared `suivi-dlq-*` headers."""
    return OutRecord(record.key, record.value or b"", dead_letter_headers(record, exc))
