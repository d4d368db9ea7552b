"""A Prometheus histogram observed from the event loop's thread alone, so without locks.

prometheus_client's `Histogram.observe` takes a lock for the sum and one for the bucket: ~0.8 µs
an observation, two a webhook (issue 22). Here an observation is a bisection and two additions;
the metrics server's thread only reads (a scrape may see a count one observation ahead of the
sum, as it may with prometheus_client). Exposed exactly as prometheus_client's Histogram is:
tests/unit/test_loop_metrics.py compares the two expositions.
"""

from __future__ import annotations

import math
import time
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Sequence
from itertools import accumulate
from typing import Protocol

from prometheus_client import CollectorRegistry
from prometheus_client.metrics_core import HistogramMetricFamily, Metric
from prometheus_client.utils import floatToGoString


class Observer(Protocol):
    def observe(self, amount: float) -> None: ...


class LoopHistogram:
    """An unlabelled histogram: `observe` from the event loop; collected by the registry."""

    def __init__(
        self, name: str, documentation: str, buckets: Iterable[float], registry: CollectorRegistry
    ) -> None:
        bounds = sorted(float(b) for b in buckets)
        if not bounds or bounds[-1] != math.inf:
            bounds.append(math.inf)
        self._name, self._documentation = name, documentation
        self._bounds: Sequence[float] = tuple(bounds)
        self._les = [floatToGoString(b) for b in bounds]  # type: ignore[no-untyped-call]
        self._counts = [0] * len(bounds)
        self._sum = 0.0
        self._created = time.time()
        registry.register(self)

    def observe(self, amount: float) -> None:
        self._counts[bisect_left(self._bounds, amount)] += 1  # the first bound >= amount
        self._sum += amount

    def describe(self) -> list[Metric]:
        return [HistogramMetricFamily(self._name, self._documentation)]

    def collect(self) -> Iterator[Metric]:
        total = self._sum
        cumulative = accumulate(list(self._counts))
        family = HistogramMetricFamily(
            self._name,
            self._documentation,
            buckets=[(le, float(count)) for le, count in zip(self._les, cumulative, strict=True)],
            sum_value=total,
        )
        family.add_sample(f"{self._name}_created", {}, self._created)
        yield family
