"""Dead letters: a record the projector cannot apply goes, unchanged, to the DLQ with why."""

from __future__ import annotations

from collections.abc import Awaitable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from aiokafka import AIOKafkaProducer

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
    """The record as consumed, with the normalizer's `suivi-dlq-*` headers."""
    reason = str(exc) or exc.__class__.__name__
    headers: Headers = [(k, v) for k, v in record.headers if not k.startswith("suivi-dlq-")]
    headers += [
        ("suivi-dlq-reason", reason[:1000].encode()),
        ("suivi-dlq-error", exc.__class__.__name__.encode()),
        ("suivi-dlq-source-topic", record.topic.encode()),
        ("suivi-dlq-source-partition", str(record.partition).encode()),
        ("suivi-dlq-source-offset", str(record.offset).encode()),
        ("suivi-dlq-failed-at", datetime.now(UTC).isoformat().encode()),
    ]
    return OutRecord(record.key, record.value or b"", headers)
