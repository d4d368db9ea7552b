"""The lookup limiter over its counters (in memory)."""

from __future__ import annotations

from pydantic import SecretStr

from suivi_projections.web.ratelimit import Limit, LookupLimiter, MemoryCounters


async def test_the_limiter_prunes_ended_windows_as_it_goes() -> None:
    now = [1000.0]
    counters = MemoryCounters()
    limiter = LookupLimiter(
        counters, SecretStr("k" * 32), per_client=Limit(10, 60), per_order_email=Limit(5, 60),
        emails_per_order=Limit(20, 60), clock=lambda: now[0], prune_every=2,
    )  # fmt: skip
    assert await limiter.check("198.51.100.1", "shop-a", "1042", "a@example.org") is None
    assert len(counters) == 3
    now[0] += 60
    assert await limiter.check("198.51.100.2", "shop-a", "1043", "b@example.org") is None
    assert len(counters) == 3  # the first attempt's three windows ended and were dropped
