"""observe_all: the same histogram samples as observing one amount at a time."""

from __future__ import annotations

import random

import pytest
from prometheus_client import CollectorRegistry, Histogram

from suivi_normalizer.metrics import observe_all

BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)


def samples(histogram: Histogram) -> dict[tuple[str, str], float]:
    return {
        (s.name, s.labels.get("le", "")): s.value
        for metric in histogram.collect()
        for s in metric.samples
        if not s.name.endswith("_created")
    }


@pytest.mark.parametrize("seed", range(5))
def test_observe_all_equals_observing_each(seed: int) -> None:
    rng = random.Random(seed)
    amounts = [rng.choice([0.0, *BUCKETS, -1.0, 100.0]) for _ in range(50)]  # on the bounds too
    amounts += [rng.uniform(-1, 90) for _ in range(500)]
    one, many = CollectorRegistry(), CollectorRegistry()
    each = Histogram("lag_seconds", "h", buckets=BUCKETS, registry=one)
    together = Histogram("lag_seconds", "h", buckets=BUCKETS, registry=many)
    for amount in amounts:
        each.observe(amount)
    observe_all(together, amounts[:200])
    observe_all(together, amounts[200:])
    observe_all(together, [])
    expected, got = samples(each), samples(together)
    assert got.keys() == expected.keys()
    for name, value in expected.items():
        assert got[name] == pytest.approx(value), name
