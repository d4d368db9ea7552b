"""Token bucket and daily quota, on injected clocks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from suivi_tracker.adapters.sources.limits import DailyQuota, TokenBucket
from suivi_tracker.domain.sources import RateLimited


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_bucket_gives_its_burst_then_one_token_per_interval() -> None:
    clock = FakeClock()
    bucket = TokenBucket(rate=2.0, burst=3, clock=clock)
    assert [bucket.take() for _ in range(3)] == [0.0, 0.0, 0.0]
    assert bucket.take() == pytest.approx(0.5)
    clock.now += 0.5
    assert bucket.take() == 0.0
    clock.now += 100  # refills up to the burst, never beyond
    assert [bucket.take() for _ in range(4)][:3] == [0.0, 0.0, 0.0]


async def test_acquire_waits_short_and_refuses_long_waits() -> None:
    clock = FakeClock()
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        clock.now += seconds

    bucket = TokenBucket(rate=1.0, burst=1, clock=clock)
    assert await bucket.acquire(max_wait=2.0, sleep=sleep) == 0.0
    assert await bucket.acquire(max_wait=2.0, sleep=sleep) == pytest.approx(1.0)
    slow = TokenBucket(rate=1 / 60, burst=1, clock=clock)  # USPS: 60 calls an hour
    await slow.acquire(max_wait=2.0, sleep=sleep)
    with pytest.raises(RateLimited) as raised:
        await slow.acquire(max_wait=2.0, sleep=sleep)
    assert raised.value.retry_after == pytest.approx(60.0)


def test_the_daily_quota_runs_out_and_comes_back_at_midnight() -> None:
    now = datetime(2026, 12, 6, 22, 0, tzinfo=UTC)
    quota = DailyQuota(2, clock=lambda: now)
    quota.spend()
    quota.spend()
    assert quota.left() == 0
    with pytest.raises(RateLimited) as raised:
        quota.spend()
    assert raised.value.retry_after == pytest.approx(2 * 3600)
    now += timedelta(hours=2, seconds=1)
    assert quota.left() == 2


def test_the_quota_takes_the_provider_count() -> None:
    quota = DailyQuota(100)
    quota.sync(left=7)
    assert quota.left() == 7
