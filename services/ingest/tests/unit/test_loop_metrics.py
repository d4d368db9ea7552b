"""The lock-free histogram is exposed exactly as prometheus_client's Histogram."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st
from prometheus_client import CollectorRegistry, Histogram, generate_latest

from suivi_ingest.kafka import PUBLISH_BUCKETS
from suivi_ingest.loop_metrics import LoopHistogram

BODY_BUCKETS = tuple(float(2**n) for n in range(8, 21, 2))
CREATED = re.compile(rb"^(\w+_created) .*$", re.MULTILINE)


def _exposed(observations: list[float], buckets: tuple[float, ...], loop: bool) -> bytes:
    registry = CollectorRegistry()
    kind = LoopHistogram if loop else Histogram
    histogram = kind("suivi_x_seconds", "How long x took.", buckets=buckets, registry=registry)
    for amount in observations:
        histogram.observe(amount)
    return CREATED.sub(rb"\1 <time>", generate_latest(registry))  # the only difference: when


@settings(max_examples=200, deadline=None)
@given(
    buckets=st.sampled_from([PUBLISH_BUCKETS, BODY_BUCKETS, (1.0, float("inf"))]),
    observations=st.lists(
        st.sampled_from([0.0, 0.001, 0.0025, 256.0, 1024.0, 10.0, 2.0**20, 1e9])
        | st.floats(min_value=0, max_value=2e6, allow_nan=False),
        max_size=40,
    ),
)
def test_same_exposition_as_prometheus_client(
    buckets: tuple[float, ...], observations: list[float]
) -> None:
    assert _exposed(observations, buckets, loop=True) == _exposed(observations, buckets, False)


def test_counts_land_in_the_first_bucket_that_holds_them() -> None:
    text = _exposed([0.001, 0.0011, 20.0], PUBLISH_BUCKETS, loop=True).decode()
    assert 'suivi_x_seconds_bucket{le="0.001"} 1.0' in text
    assert 'suivi_x_seconds_bucket{le="0.0025"} 2.0' in text
    assert 'suivi_x_seconds_bucket{le="10.0"} 2.0' in text
    assert 'suivi_x_seconds_bucket{le="+Inf"} 3.0' in text
    assert "suivi_x_seconds_count 3.0" in text
