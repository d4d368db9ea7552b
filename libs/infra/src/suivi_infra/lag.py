"""Consumer-group lag per partition, exported as `suivi_kafka_consumer_lag{group,topic,partition}`.

Lag is measured from the consumer's own view, refreshed every few seconds: the last stable
offset (what a read_committed consumer can read) minus the consumer's position. Partitions
the consumer no longer owns are dropped from the gauge, so a rebalance leaves no stale series.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

from prometheus_client import CollectorRegistry, Gauge

log = logging.getLogger(__name__)


class ConsumerLag:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.gauge = Gauge(
            "suivi_kafka_consumer_lag",
            "Records between the consumer's position and the last stable offset, per partition.",
            ["group", "topic", "partition"],
            registry=registry,
        )
        self._seen: dict[str, set[tuple[str, int]]] = {}

    async def sample(self, consumer: Any, group: str) -> None:
        """One refresh from an aiokafka consumer (assignment, last_stable_offset, position)."""
        owned: set[tuple[str, int]] = set()
        for tp in consumer.assignment():
            end = consumer.last_stable_offset(tp)
            if end is None:
                end = consumer.highwater(tp)
            if end is None:
                continue  # nothing fetched yet for this partition
            position = await consumer.position(tp)
            self.gauge.labels(group, tp.topic, str(tp.partition)).set(max(0, end - position))
            owned.add((tp.topic, tp.partition))
        for topic, partition in self._seen.get(group, set()) - owned:
            with contextlib.suppress(KeyError):
                self.gauge.remove(group, topic, str(partition))
        self._seen[group] = owned

    async def watch(
        self, consumer_of: Callable[[], Any], group: str, interval_seconds: float = 5.0
    ) -> None:
        """Runs until cancelled; `consumer_of` returns the current consumer (or None yet)."""
        while True:
            consumer = consumer_of()
            if consumer is not None:
                try:
                    await self.sample(consumer, group)
                except Exception:  # the next refresh may succeed; never take the service down
                    log.warning("could not measure consumer lag", exc_info=True)
            await asyncio.sleep(interval_seconds)
