"""The normalizer service against the real broker: events out, poison to the DLQ, commits after."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from pathlib import Path

from aiokafka import AIOKafkaConsumer

from suivi_infra.kafka import make_consumer, make_producer
from suivi_infra.settings import KafkaSettings
from suivi_infra.testing import TopicFactory, group_caught_up
from suivi_normalizer.bootstrap import bootstrap
from suivi_normalizer.settings import NormalizerSettings
from suivi_normalizer.testing.envelope import envelope_for
from suivi_schemas import RawProviderEvent, ShipmentStatusEvent

FIXTURES = Path(__file__).parents[1] / "fixtures" / "suivi"


async def _drain(
    consumer: AIOKafkaConsumer, want: int, seconds: float = 20
) -> list[tuple[bytes | None, bytes, dict[str, bytes]]]:
    got: list[tuple[bytes | None, bytes, dict[str, bytes]]] = []
    deadline = asyncio.get_running_loop().time() + seconds
    while len(got) < want and asyncio.get_running_loop().time() < deadline:
        batch = await consumer.getmany(timeout_ms=500)
        for records in batch.values():
            got.extend((r.key, r.value, dict(r.headers)) for r in records)
    return got


async def test_raw_in_canonical_out_poison_dead_lettered_offsets_committed_after(
    kafka_settings: KafkaSettings, kafka_topic: TopicFactory
) -> None:
    raw_topic = await kafka_topic("raw", partitions=3)
    status_topic = await kafka_topic("status", partitions=3)
    dlq_topic = await kafka_topic("dlq", partitions=1)
    group = f"normalizer-{uuid.uuid4().hex[:8]}"
    settings = NormalizerSettings(
        kafka=kafka_settings, raw_topic=raw_topic, status_topic=status_topic,
        dlq_topic=dlq_topic, group_id=group, metrics_port=0,
    )  # fmt: skip

    now = datetime.now(UTC)
    good = [
        envelope_for("suivi", (FIXTURES / n).read_text(), now)
        for n in ("history_out_of_order.json", "duplicates.json")
    ]
    producer = make_producer(kafka_settings)
    await producer.start()
    try:
        for raw in good:
            await producer.send_and_wait(raw_topic, raw.model_dump_json().encode(), key=b"suivi:x")
        await producer.send_and_wait(
            raw_topic, b'{"oops": true}', key=b"suivi:y", headers=[("origin", b"test")]
        )
    finally:
        await producer.stop()

    service = bootstrap(settings, serve_metrics=False)
    async with service.app:
        status = make_consumer(kafka_settings, f"reader-{uuid.uuid4().hex[:6]}", status_topic)
        dlq = make_consumer(kafka_settings, f"reader-{uuid.uuid4().hex[:6]}", dlq_topic)
        await status.start()
        await dlq.start()
        try:
            events = await _drain(status, 5)
            dead = await _drain(dlq, 1)
        finally:
            await status.stop()
            await dlq.stop()
        assert await group_caught_up(kafka_settings, group, [raw_topic])

    parsed = [ShipmentStatusEvent.model_validate_json(v) for _, v, _ in events]
    assert len(parsed) == 5
    assert {e.raw_event_id for e in parsed} == {r.event_id for r in good}
    assert all(k == e.key.encode() for (k, _, _), e in zip(events, parsed, strict=True))
    assert len(dead) == 1
    key, value, headers = dead[0]
    assert value == b'{"oops": true}' and key == b"suivi:y"
    assert headers["origin"] == b"test"
    assert headers["suivi-dlq-error"] == b"ValidationError"
    assert headers["suivi-dlq-source-topic"] == raw_topic.encode()

    # Restarted, the group resumes after its commits: nothing is normalized twice.
    again = bootstrap(settings, serve_metrics=False)
    async with again.app:
        await asyncio.sleep(2)
    assert again.registry.get_sample_value("suivi_normalizer_batch_size_records_count") in (
        None,
        0.0,
    )


async def test_a_webhook_with_a_nul_tracking_number_is_dead_lettered_the_rest_published(
    kafka_settings: KafkaSettings, kafka_topic: TopicFactory
) -> None:
    raw_topic = await kafka_topic("raw", partitions=1)
    status_topic = await kafka_topic("status", partitions=1)
    dlq_topic = await kafka_topic("dlq", partitions=1)
    group = f"normalizer-{uuid.uuid4().hex[:8]}"
    settings = NormalizerSettings(
        kafka=kafka_settings, raw_topic=raw_topic, status_topic=status_topic,
        dlq_topic=dlq_topic, group_id=group, metrics_port=0,
    )  # fmt: skip
    now = datetime.now(UTC)
    body = (FIXTURES / "duplicates.json").read_text()
    # Issue 12: accepted by ingest (a signed, well-formed body), it stalled the notifier.
    nul = envelope_for("suivi", body.replace('"1234567890"', '"12345\\u000067890"'), now)
    good = envelope_for("suivi", body, now)
    producer = make_producer(kafka_settings)
    await producer.start()
    try:
        for raw in (nul, good):
            await producer.send_and_wait(raw_topic, raw.model_dump_json().encode(), key=b"suivi:x")
    finally:
        await producer.stop()

    service = bootstrap(settings, serve_metrics=False)
    async with service.app:
        status = make_consumer(kafka_settings, f"reader-{uuid.uuid4().hex[:6]}", status_topic)
        dlq = make_consumer(kafka_settings, f"reader-{uuid.uuid4().hex[:6]}", dlq_topic)
        await status.start()
        await dlq.start()
        try:
            events = await _drain(status, 2)
            dead = await _drain(dlq, 1, seconds=5)
        finally:
            await status.stop()
            await dlq.stop()
        assert await group_caught_up(kafka_settings, group, [raw_topic])

    parsed = [ShipmentStatusEvent.model_validate_json(v) for _, v, _ in events]
    assert {e.raw_event_id for e in parsed} == {good.event_id}
    [(_, value, headers)] = dead
    assert RawProviderEvent.model_validate_json(value).event_id == nul.event_id
    assert headers["suivi-dlq-error"] == b"ValidationError"
    assert b"tracking_number" in headers["suivi-dlq-reason"]
    assert headers["suivi-dlq-provider"] == b"suivi"
