"""Client-side limits of one source: a token bucket (calls per second) and a daily quota."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from suivi_tracker.domain.sources import RateLimited

Sleep = Callable[[float], Awaitable[None]]


class TokenBucket:
    """`rate` tokens per second up to `burst`; the clock is injected so tests never sleep."""

    def __init__(
        self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError("a token bucket needs rate > 0 and burst >= 1")
        self.rate = rate
        self.burst = burst
        self._clock = clock
        self._tokens = float(burst)
        self._at = clock()

    def _refill(self) -> None:
        now = self._clock()
        self._tokens = min(self.burst, self._tokens + (now - self._at) * self.rate)
        self._at = now

    def take(self) -> float:
        """Take a token (0.0) or say how many seconds until one is available (nothing taken)."""
        self._refill()
        if self._tokens >= 1.0:
            self._tokens -= 1.0
            return 0.0
        return (1.0 - self._tokens) / self.rate

    async def acquire(self, max_wait: float, sleep: Sleep = asyncio.sleep) -> float:
        """Wait for a token up to `max_wait` seconds in all, returning the time waited; a longer
        wait raises RateLimited so the scheduler moves the work instead of holding a worker."""
        waited = 0.0
        while (delay := self.take()) > 0.0:
            if waited + delay > max_wait:
                raise RateLimited(retry_after=delay)
            await sleep(delay)
            waited += delay
        return waited


def _utc_now() -> datetime:
    return datetime.now(UTC)


class DailyQuota:
    """Calls left in the provider's day (UTC midnight to midnight unless told otherwise)."""

    def __init__(self, limit: int, clock: Callable[[], datetime] = _utc_now) -> None:
        self.limit = limit
        self._clock = clock
        self._day = clock().date()
        self._used = 0

    def _roll(self) -> datetime:
        now = self._clock()
        if now.date() != self._day:
            self._day, self._used = now.date(), 0
        return now

    def left(self) -> int:
        self._roll()
        return max(0, self.limit - self._used)

    def spend(self, calls: int = 1) -> None:
        """Count `calls`, or raise RateLimited until the next day when the quota is spent."""
        now = self._roll()
        if self._used + calls > self.limit:
            midnight = datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), UTC)
            raise RateLimited(retry_after=(midnight - now).total_seconds())
        self._used += calls

    def sync(self, left: int) -> None:
        """Take the provider's own count when it reports one (17TRACK getquota)."""
        self._roll()
        self._used = max(0, self.limit - left)
