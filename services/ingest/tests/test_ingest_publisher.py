"""The Kafka publisher's lifecycle with stand-in producers (no broker needed)."""

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
from suivi_ingest.publisher import KafkaRawEventPublisher, PublishError
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


def _publisher(producers: list[StandInProducer]) -> KafkaRawEventPublisher:
    queue = iter(producers)

    def factory() -> AIOKafkaProducer:
        return cast(AIOKafkaProducer, next(queue))

    fast = Backoff(initial_seconds=0.01, max_seconds=0.01)
    return KafkaRawEventPublisher(factory, "raw", KafkaSettings(), backoff=fast)


async def test_publishes_the_serialized_envelope_with_its_key() -> None:
    producer = StandInProducer()
    publisher = _publisher([producer])
    await publisher.start()
    await publisher.publish(EVENT, "suivi:X1")
    await publisher.stop()
    [(topic, value, key)] = producer.sent
    assert (topic, key) == ("raw", b"suivi:X1")
    assert RawProviderEvent.model_validate_json(value) == EVENT
    assert producer.stopped


async def test_unreachable_at_start_refuses_then_reconnects_in_background() -> None:
    first, second = StandInProducer(fail_start=True), StandInProducer()
    publisher = _publisher([first, second])
    await publisher.start()
    assert first.stopped and not publisher.connected
    with pytest.raises(PublishError, match="not connected"):
        await publisher.publish(EVENT, "k")
    for _ in range(100):
        if publisher.connected:
            break
        await asyncio.sleep(0.01)
    await publisher.publish(EVENT, "k")
    assert len(second.sent) == 1
    await publisher.stop()
    assert second.stopped


async def test_stop_cancels_a_pending_reconnect() -> None:
    publisher = _publisher([StandInProducer(fail_start=True)] * 3)
    await publisher.start()
    await publisher.stop()
    assert not publisher.connected


async def test_kafka_errors_become_publish_errors() -> None:
    publisher = _publisher([StandInProducer(fail_send=KafkaTimeoutError())])
    await publisher.start()
    with pytest.raises(PublishError, match="KafkaTimeoutError"):
        await publisher.publish(EVENT, "k")
    await publisher.stop()


async def test_not_ready_without_a_producer() -> None:
    publisher = _publisher([StandInProducer(fail_start=True)] * 2)
    await publisher.start()
    assert await publisher.ready() is False
    await publisher.stop()
