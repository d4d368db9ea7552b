"""Consumer lag from the consumer's own view, with stale partitions dropped."""

from __future__ import annotations

from dataclasses import dataclass, field

from aiokafka import TopicPartition
from prometheus_client import CollectorRegistry

from suivi_infra.lag import ConsumerLag


@dataclass
class FakeConsumer:
    ends: dict[TopicPartition, int | None]
    positions: dict[TopicPartition, int]
    highwaters: dict[TopicPartition, int] = field(default_factory=dict)

    def assignment(self) -> set[TopicPartition]:
        return set(self.ends)

    def last_stable_offset(self, tp: TopicPartition) -> int | None:
        return self.ends[tp]

    def highwater(self, tp: TopicPartition) -> int | None:
        return self.highwaters.get(tp)

    async def position(self, tp: TopicPartition) -> int:
        return self.positions[tp]


def _lag(registry: CollectorRegistry, partition: int) -> float | None:
    return registry.get_sample_value(
        "suivi_kafka_consumer_lag", {"group": "g", "topic": "t", "partition": str(partition)}
    )


async def test_lag_per_partition_and_stale_partitions_dropped() -> None:
    registry = CollectorRegistry()
    lag = ConsumerLag(registry)
    p0, p1, p2 = (TopicPartition("t", i) for i in range(3))
    consumer = FakeConsumer(
        ends={p0: 120, p1: 7, p2: None}, positions={p0: 100, p1: 7, p2: 0}, highwaters={p2: 5}
    )
    await lag.sample(consumer, "g")
    assert (_lag(registry, 0), _lag(registry, 1), _lag(registry, 2)) == (20, 0, 5)

    # After a rebalance the consumer owns only partition 1: the others disappear.
    await lag.sample(FakeConsumer(ends={p1: 9}, positions={p1: 8}), "g")
    assert (_lag(registry, 0), _lag(registry, 1), _lag(registry, 2)) == (None, 1, None)
