"""What the notifier writes to Kafka: NotificationResult records and dead letters."""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import UTC, datetime
from typing import Any, Protocol

from aiokafka import AIOKafkaProducer

from suivi_notifier.adapters.pg_outbox import OutboxRecord


class _Record(Protocol):
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
    def headers(self) -> Any: ...


def dead_letter_headers(record: _Record, exc: BaseException) -> list[tuple[str, bytes]]:
    # The error class and the place only: validation messages may quote contact data.
    headers = [(k, v) for k, v in (record.headers or ()) if not k.startswith("suivi-dlq-")]
    headers += [
        ("suivi-dlq-error", type(exc).__name__.encode()),
        ("suivi-dlq-reason", _reason(exc).encode()),
        ("suivi-dlq-source-topic", record.topic.encode()),
        ("suivi-dlq-source-partition", str(record.partition).encode()),
        ("suivi-dlq-source-offset", str(record.offset).encode()),
        ("suivi-dlq-failed-at", datetime.now(UTC).isoformat().encode()),
    ]
    return headers


def _reason(exc: BaseException) -> str:
    errors = getattr(exc, "errors", None)
    if callable(errors):
        try:
            places = [
                ".".join(str(p) for p in e.get("loc", ())) + ":" + str(e.get("type"))
                for e in errors()
            ]
        except Exception:
            places = []
        return ("invalid fields " + ", ".join(places))[:500] if places else "invalid record"
    return "unreadable record"


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

    async def dead_letter(self, record: _Record, exc: BaseException) -> Awaitable[Any]:
        fut: Awaitable[Any] = await self.producer.send(
            self.dlq_topic,
            record.value or b"",
            key=record.key,
            headers=dead_letter_headers(record, exc),
        )
        return fut
