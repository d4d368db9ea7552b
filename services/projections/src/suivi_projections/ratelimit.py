"""In-memory token buckets for the shopper lookup (one process; see `TokenBuckets`)."""

from __future__ import annotations

import ipaddress
import math
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(slots=True)
class _Bucket:
    tokens: float
    updated: float


class TokenBuckets:
    """One bucket per key: `capacity` tokens, refilled evenly over `period` seconds.

    State lives in this process only: with several API processes behind a load balancer each
    enforces its own limits (an attacker gets N times the budget). A shared store (PostgreSQL,
    Redis) would be needed to make them global.

    Memory is bounded: past `max_keys`, buckets that have refilled completely are dropped
    (forgetting them changes nothing), then the least recently used ones.
    A full bucket dropped is recreated full, so eviction never tightens a limit; evicting
    a non-full one (only under a flood of distinct keys) loosens it for that key.
    """

    def __init__(
        self,
        capacity: int,
        period: float,
        *,
        max_keys: int = 100_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.capacity = float(capacity)
        self.rate = capacity / period  # tokens per second
        self.max_keys = max_keys
        self._clock = clock
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()

    def take(self, key: str) -> float | None:
        """Takes one token: None when allowed, else the seconds until one is available."""
        now = self._clock()
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = _Bucket(self.capacity, now)
            self._evict(now)
        else:
            self._buckets.move_to_end(key)
            bucket.tokens = min(self.capacity, bucket.tokens + (now - bucket.updated) * self.rate)
            bucket.updated = now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return None
        return (1.0 - bucket.tokens) / self.rate

    def __len__(self) -> int:
        return len(self._buckets)

    def _evict(self, now: float) -> None:
        if len(self._buckets) <= self.max_keys:
            return
        full = [
            key
            for key, b in self._buckets.items()
            if b.tokens + (now - b.updated) * self.rate >= self.capacity
        ]
        for key in full:
            del self._buckets[key]
        # Down to 90 %, so that the scan above runs once per many new keys, not per key.
        while len(self._buckets) > self.max_keys * 9 // 10:
            self._buckets.popitem(last=False)


def retry_after(seconds: float) -> str:
    """Retry-After value: whole seconds, at least 1."""
    return str(max(1, math.ceil(seconds)))


def client_key(host: str | None) -> str:
    """Rate-limit key of a client address: IPv6 clients by their /64 (one host usually owns a
    whole /64), IPv4 as is. The address never leaves memory (not logged, not a metric label)."""
    if not host:
        return "unknown"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)
