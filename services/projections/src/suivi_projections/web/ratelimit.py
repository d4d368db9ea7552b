"""Shopper lookup limits: counters shared by every API process, and the rules that read them.

Three limits, checked in this order, each counting only the attempts the previous ones let
through (so a refused flood does not spend the later budgets):

- per client address (`ip`): one client's pace, whatever it asks for;
- per order and email (`order_email`): guesses of one email for one order, from anywhere, so
  wrong emails never spend the budget of the right one (the shopper's);
- per order (`order`): distinct emails tried for one order, from anywhere; high enough for a
  shopper's typos, it stops a guesser spreading over many addresses. Once over it, the order
  is refused to everyone until its window ends: the right email cannot be told from a guess.

Windows are fixed and start at a key's first attempt. Keys are HMACs (the email, the client
address and the order number never reach the store in clear), keyed from SUIVI_TOKEN_KEY so
that every process computes the same ones.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from pydantic import SecretStr


class Counters(Protocol):
    """Attempt counters with expiry; implementations: `MemoryCounters`, `PostgresCounters`."""

    async def hit(self, key: bytes, seconds: float, now: float, add: int = 1) -> tuple[int, float]:
        """Adds `add` to the key's count in its window (a new one of `seconds` if none is
        open at `now`), atomically; returns the count and when the window ends."""
        ...

    async def prune(self, now: float) -> int:
        """Forgets the windows ended by `now`; returns how many."""
        ...


class MemoryCounters:
    """`Counters` of one process: unit tests, and the contract the PostgreSQL store meets."""

    def __init__(self) -> None:
        self._windows: dict[bytes, tuple[int, float]] = {}

    async def hit(self, key: bytes, seconds: float, now: float, add: int = 1) -> tuple[int, float]:
        count, ends = self._windows.get(key, (0, now))
        if ends <= now:
            count, ends = 0, now + seconds
        self._windows[key] = (count + add, ends)
        return count + add, ends

    async def prune(self, now: float) -> int:
        ended = [key for key, (_, ends) in self._windows.items() if ends <= now]
        for key in ended:
            del self._windows[key]
        return len(ended)

    def __len__(self) -> int:
        return len(self._windows)


@dataclass(frozen=True, slots=True)
class Limit:
    count: int
    seconds: float


@dataclass(frozen=True, slots=True)
class Refusal:
    limit: str  # the metric label: ip, order_email, order
    wait: float  # seconds until the window ends


class LookupLimiter:
    """Decides whether a lookup may be tried; see the module's docstring for the rules."""

    def __init__(
        self,
        counters: Counters,
        token_key: SecretStr,
        *,
        per_client: Limit,
        per_order_email: Limit,
        emails_per_order: Limit,
        clock: Callable[[], float] = time.time,
        prune_every: int = 1000,
    ) -> None:
        self.counters = counters
        # Its own key, derived: the tokens' key itself never hashes anything else.
        self._key = hmac.digest(token_key.get_secret_value().encode(), b"lookup-limits", "sha256")
        self.per_client = per_client
        self.per_order_email = per_order_email
        self.emails_per_order = emails_per_order
        self._clock = clock
        self._prune_every = prune_every
        self._calls = 0

    def _hash(self, *parts: str) -> bytes:
        return hmac.digest(self._key, "\x1f".join(parts).encode(), hashlib.sha256)

    async def check(
        self, client: str, merchant_id: str, order_number: str, email: str
    ) -> Refusal | None:
        """Counts the attempt; None when it may go on. `email` comes normalised."""
        now = self._clock()
        self._calls += 1
        if self._calls % self._prune_every == 0:
            await self.counters.prune(now)
        hit = self.counters.hit
        count, ends = await hit(self._hash("ip", client), self.per_client.seconds, now)
        if count > self.per_client.count:
            return Refusal("ip", ends - now)
        order = (merchant_id, order_number.casefold())
        key = self._hash("order_email", *order, email)
        tries, ends = await hit(key, self.per_order_email.seconds, now)
        if tries > self.per_order_email.count:
            return Refusal("order_email", ends - now)
        # Only an email's first attempt in its window adds to the order's count; every
        # attempt reads it, so retrying a refused new email does not slip past the cap.
        emails = self.emails_per_order
        count, ends = await hit(self._hash("order", *order), emails.seconds, now, int(tries == 1))
        if count > emails.count:
            return Refusal("order", ends - now)
        return None


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
