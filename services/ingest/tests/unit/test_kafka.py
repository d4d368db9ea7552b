"""The Kafka producer's lifecycle and the raw publisher on it, with stand-in producers."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from typing import Any, cast

import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaConnectionError, KafkaTimeoutError

from suivi_infra.settings import KafkaSettings
from suivi_infra.startup import Backoff
from suivi_ingest.kafka import IngestProducer, PublishError
from suivi_ingest.webhooks.publisher import KafkaRawEventPublisher, serialize
from suivi_schemas.raw import IngestMetadata, RawProviderEvent

EVENT = RawProviderEvent(
    event_id=uuid.uuid4(),
    provider="suivi",
    received_at=datetime(2026, 11, 2, 8, 0, tzinfo=UTC),
    content_type="application/json",
    body='{"city":"Besançon"}',
    body_sha256=RawProviderEvent.digest('{"city":"Besançon"}'.encode()),
    ingest=IngestMetadata(request_id="r", signature_scheme="suivi-v1", content_length=20),
)


class StandInProducer:
    def __init__(self, fail_start: bool = False, fail_send: Exception | None = None) -> None:
        self.fail_start, self.fail_send = fail_start, fail_send
        self.sent: list[tuple[str, bytes, bytes]] = []
        self.started = self.stopped = False

    async def start(self) -> None:
        if self.fail_start:
            raise KafkaConnectionError("refused")
        self.started = True

    async def stop(self) -> None:
        self.stopped = True

    async def send_and_wait(self, topic: str, value: bytes, key: bytes) -> Any:
        if self.fail_send is not None:
            raise self.fail_send
        self.sent.append((topic, value, key))


def _publisher(
    producers: list[StandInProducer],
) -> tuple[IngestProducer, KafkaRawEventPublisher]:
    queue = iter(producers)

    def factory() -> AIOKafkaProducer:
        return cast(AIOKafkaProducer, next(queue))

    fast = Backoff(initial_seconds=0.01, max_seconds=0.01)
    kafka = IngestProducer(factory, KafkaSettings(), backoff=fast)
    return kafka, KafkaRawEventPublisher(kafka, "raw")


async def test_publishes_the_serialized_envelope_with_its_key() -> None:
    producer = StandInProducer()
    kafka, publisher = _publisher([producer])
    await kafka.start()
    await publisher.publish(EVENT, "suivi:X1")
    await kafka.stop()
    [(topic, value, key)] = producer.sent
    assert (topic, key) == ("raw", b"suivi:X1")
    assert RawProviderEvent.model_validate_json(value) == EVENT
    assert producer.stopped


async def test_unreachable_at_start_refuses_then_reconnects_in_background() -> None:
    first, second = StandInProducer(fail_start=True), StandInProducer()
    kafka, publisher = _publisher([first, second])
    await kafka.start()
    assert first.stopped and not kafka.connected
    with pytest.raises(PublishError, match="not connected"):
        await publisher.publish(EVENT, "k")
    for _ in range(100):
        if kafka.connected:
            break
        await asyncio.sleep(0.01)
    await publisher.publish(EVENT, "k")
    assert len(second.sent) == 1
    await kafka.stop()
    assert second.stopped


async def test_stop_cancels_a_pending_reconnect() -> None:
    kafka, _ = _publisher([StandInProducer(fail_start=True)] * 3)
    await kafka.start()
    await kafka.stop()
    assert not kafka.connected


async def test_kafka_errors_become_publish_errors() -> None:
    kafka, publisher = _publisher([StandInProducer(fail_send=KafkaTimeoutError())])
    await kafka.start()
    with pytest.raises(PublishError, match="KafkaTimeoutError"):
        await publisher.publish(EVENT, "k")
    await kafka.stop()


async def test_not_ready_without_a_producer() -> None:
    kafka, publisher = _publisher([StandInProducer(fail_start=True)] * 2)
    await kafka.start()
    assert await publisher.ready() is False
    await kafka.stop()


async def test_publishes_a_record_already_serialized_as_is() -> None:
    producer = StandInProducer()
    kafka, publisher = _publisher([producer])
    await kafka.start()
    await publisher.publish_json(serialize(EVENT), "suivi:X1")
    await kafka.stop()
    assert producer.sent == [("raw", serialize(EVENT), b"suivi:X1")]
