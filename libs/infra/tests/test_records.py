"""KafkaSink: keyed placement as `send(key=…)`'s, order per partition, closed batches, acks."""

from __future__ import annotations

import asyncio
import random
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer
from aiokafka.partitioner import DefaultPartitioner
from aiokafka.record.default_records import DefaultRecordBatch

from suivi_infra.kafka import make_producer, producer_options
from suivi_infra.records import KafkaSink, OutRecord
from suivi_infra.settings import KafkaSettings
from suivi_infra.testing import TopicFactory

PARTITIONS = list(range(12))


class FakeProducer:
    """The part of AIOKafkaProducer KafkaSink uses, with aiokafka's own batch builders."""

    def __init__(self, batch_size: int = 16384) -> None:
        self.real = make_producer(KafkaSettings(), max_batch_size=batch_size)
        self.sent: list[tuple[str, int, Any, bool]] = []

    async def partitions_for(self, topic: str) -> set[int]:
        return set(PARTITIONS)

    def create_batch(self) -> Any:
        return self.real.create_batch()

    async def send_batch(self, batch: Any, topic: str, *, partition: int) -> asyncio.Future[Any]:
        self.sent.append((topic, partition, batch, batch.closed()))
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        future.set_result(None)
        return future


def keys(count: int) -> list[bytes]:
    rng = random.Random(22)
    shapes = [
        lambda i: f"ups:1Z{i:016d}".encode(),
        lambda i: f"laposte:6A{rng.randrange(10**11):011d}FR".encode(),
        lambda i: rng.randbytes(rng.randrange(1, 40)),
        lambda i: f"dhl:{'é' * (i % 7)}{i}".encode(),
    ]
    return [shapes[i % len(shapes)](i) for i in range(count)]


def records_of(batch: Any) -> list[tuple[bytes | None, bytes]]:
    built = DefaultRecordBatch(bytearray(batch._build()))
    return [(r.key, r.value) for r in built]


async def test_each_key_goes_where_send_would_put_it_and_order_is_kept() -> None:
    producer = FakeProducer()
    all_keys = keys(5000)
    records = [OutRecord(key, f"{i}".encode()) for i, key in enumerate(all_keys)]
    futures = await KafkaSink(producer).publish("t", records)
    await asyncio.gather(*futures)
    send_partitioner = producer_options(KafkaSettings())["partitioner"]  # send(key=…)'s
    java_default = DefaultPartitioner()  # aiokafka's default: murmur2 as Java's
    placed: dict[bytes, set[int]] = {}
    order: dict[int, list[int]] = {}
    for topic, partition, batch, closed in producer.sent:
        assert topic == "t" and closed  # closed: sent without lingering
        for key, value in records_of(batch):
            assert key is not None
            placed.setdefault(key, set()).add(partition)
            order.setdefault(partition, []).append(int(value))
    assert sum(len(v) for v in order.values()) == len(records)
    for key in all_keys:
        expected = send_partitioner(key, PARTITIONS, PARTITIONS)
        assert expected == java_default(key, PARTITIONS, PARTITIONS)
        assert placed[key] == {expected}
    for values in order.values():
        assert values == sorted(values)  # a partition's records in the order given
    assert len(set(order)) == len(PARTITIONS)


async def test_a_partition_that_fills_a_batch_goes_out_in_several_in_order() -> None:
    producer = FakeProducer(batch_size=2048)
    records = [OutRecord(b"one-key", b"x" * 300 + f"{i}".encode()) for i in range(40)]
    await KafkaSink(producer).publish("t", records)
    assert len(producer.sent) > 1
    assert {partition for _, partition, _, _ in producer.sent} == {
        producer_options(KafkaSettings())["partitioner"](b"one-key", PARTITIONS, PARTITIONS)
    }
    values = [value for _, _, batch, _ in producer.sent for _, value in records_of(batch)]
    assert values == [r.value for r in records]


@pytest.mark.integration
async def test_on_the_broker_the_sink_places_keys_as_send_does(
    kafka_settings: KafkaSettings, kafka_topic: TopicFactory
) -> None:
    by_send, by_sink = await kafka_topic("send", 6), await kafka_topic("sink", 6)
    all_keys = keys(600)
    producer = make_producer(kafka_settings)
    await producer.start()
    try:
        sent = [await producer.send(by_send, b"v", key=key) for key in all_keys]
        acked = await KafkaSink(producer).publish(
            by_sink, [OutRecord(key, b"v", [("h", b"1")]) for key in all_keys]
        )
        await asyncio.gather(*sent, *acked)  # acks=all, idempotent: every batch acknowledged
    finally:
        await producer.stop()
    assert producer_options(kafka_settings)["enable_idempotence"] is True

    async def placement(topic: str) -> dict[bytes, int]:
        consumer = AIOKafkaConsumer(
            topic, bootstrap_servers=kafka_settings.bootstrap_servers,
            auto_offset_reset="earliest", enable_auto_commit=False,
        )  # fmt: skip
        await consumer.start()
        found: dict[bytes, int] = {}
        try:
            while len(found) < len(set(all_keys)):
                for tp, records in (await consumer.getmany(timeout_ms=1000)).items():
                    for r in records:
                        assert r.key is not None
                        found[r.key] = tp.partition
        finally:
            await consumer.stop()
        return found

    assert await placement(by_sink) == await placement(by_send)
