"""The result sink port (`handlers.dispatcher.ResultSink`): the in-memory one the harness uses
and the Kafka one the service uses pass the same tests, so what the harness tests show of
published results holds in production."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime

import pytest

from suivi_infra.kafka import make_consumer, make_producer
from suivi_infra.settings import KafkaSettings
from suivi_infra.testing import TopicFactory
from suivi_notifier.adapters.kafka_out import KafkaOut
from suivi_notifier.adapters.pg_outbox import OutboxRecord, result
from suivi_notifier.handlers.dispatcher import ResultSink
from suivi_notifier.testing.events import MemoryKafka
from suivi_schemas import Channel, NotificationResult, Outcome

Read = Callable[[int], Awaitable[list[NotificationResult]]]


def _records(*outcomes: Outcome) -> list[OutboxRecord]:
    out = []
    for i, outcome in enumerate(outcomes, start=1):
        r = result(
            merchant_id="shop", order_number=f"N{i}", carrier="ups", tracking_number=f"1Z{i}",
            trigger="delivered", channel=Channel.EMAIL, outcome=outcome, attempts=1,
            now=datetime(2026, 1, 1, tzinfo=UTC), source_event_id=uuid.uuid4(),
        )  # fmt: skip
        out.append(OutboxRecord(i, r.key, r.model_dump_json()))
    return out


class ResultSinkContract:
    """What every result sink does; a subclass gives `sink` and `read` (what was published)."""

    async def test_published_results_are_readable_once_acknowledged(
        self, sink: ResultSink, read: Read
    ) -> None:
        records = _records(Outcome.SENT, Outcome.FAILED)
        for ack in await sink.publish_results(records):
            await ack
        got = await read(2)
        assert sorted(got, key=lambda r: r.order_number) == [
            NotificationResult.model_validate_json(r.payload) for r in records
        ]

    async def test_nothing_published_reads_nothing(self, sink: ResultSink, read: Read) -> None:
        assert await sink.publish_results([]) == []
        assert await read(0) == []


class TestMemoryResultSink(ResultSinkContract):
    @pytest.fixture
    def memory(self) -> MemoryKafka:
        return MemoryKafka()

    @pytest.fixture
    def sink(self, memory: MemoryKafka) -> ResultSink:
        return memory

    @pytest.fixture
    def read(self, memory: MemoryKafka) -> Read:
        async def read(count: int) -> list[NotificationResult]:
            return list(memory.results)

        return read


@pytest.mark.integration
class TestKafkaResultSink(ResultSinkContract):
    @pytest.fixture
    async def topic(self, kafka_topic: TopicFactory) -> str:
        return await kafka_topic("notifier.results", partitions=1)

    @pytest.fixture
    async def sink(self, kafka_settings: KafkaSettings, topic: str) -> AsyncIterator[ResultSink]:
        producer = make_producer(kafka_settings, client_id="contract-results")
        await producer.start()
        try:
            yield KafkaOut(producer, results_topic=topic, dlq_topic=f"{topic}.dlq")
        finally:
            await producer.stop()

    @pytest.fixture
    def read(self, kafka_settings: KafkaSettings, topic: str) -> Read:
        async def read(count: int) -> list[NotificationResult]:
            consumer = make_consumer(kafka_settings, f"contract-{uuid.uuid4().hex[:8]}", topic)
            await consumer.start()
            try:
                got: list[NotificationResult] = []
                for _ in range(20 if count else 3):  # polls, not a wall-clock deadline
                    batches = await consumer.getmany(timeout_ms=300)
                    for records in batches.values():
                        got += [NotificationResult.model_validate_json(r.value) for r in records]
                    if count and len(got) >= count:
                        break
                return got
            finally:
                await consumer.stop()

        return read
