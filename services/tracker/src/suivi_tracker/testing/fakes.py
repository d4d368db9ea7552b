"""An in-memory Source for unit tests and benches: scripted answers, every call recorded."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from suivi_tracker.domain.sources import (
    Mode,
    Polled,
    Registered,
    SourceError,
    TrackingRef,
)

Answer = Polled | SourceError
Script = Callable[[TrackingRef, int], Answer]  # (ref, n-th call for it, from 1) → answer


def static_body(ref: TrackingRef, n: int) -> Answer:
    """The same body at every poll; numbers containing NOTFOUND are unknown (as at the
    stand-ins)."""
    if "NOTFOUND" in ref.tracking_number.upper():
        return Polled(provider="suivi", body=b"{}", found=False)
    body = f'{{"number": "{ref.tracking_number}", "events": []}}'.encode()
    return Polled(provider="suivi", body=body)


@dataclass
class FakeSource:
    """Answers polls from `script`; registers with `trk_<number>`; serves `carriers`."""

    name: str = "fake"
    mode: Mode = Mode.POLL
    carriers: frozenset[str] = frozenset({"laposte"})
    requires: tuple[str, ...] = ()  # fields `missing` asks for (e.g. "postal_code")
    script: Script = static_body
    register_error: SourceError | None = None
    quota: int | None = None
    delay: float = 0.0  # seconds each call takes (a slow source)
    polls: Counter[str] = field(default_factory=Counter)
    registered: list[str] = field(default_factory=list)
    unregistered: list[str] = field(default_factory=list)
    closed: bool = False

    def serves(self, carrier: str) -> bool:
        return carrier in self.carriers

    def missing(self, ref: TrackingRef) -> tuple[str, ...]:
        return tuple(f for f in self.requires if getattr(ref, f) is None)

    async def register(self, ref: TrackingRef) -> Registered:
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.register_error is not None:
            raise self.register_error
        self.registered.append(ref.tracking_number)
        return Registered(source_ref=f"trk_{ref.tracking_number}")

    async def unregister(self, ref: TrackingRef) -> None:
        self.unregistered.append(ref.tracking_number)

    async def poll(self, ref: TrackingRef) -> Polled:
        if self.delay:
            await asyncio.sleep(self.delay)
        self.polls[ref.tracking_number] += 1
        if self.quota is not None:
            self.quota -= 1
        answer = self.script(ref, self.polls[ref.tracking_number])
        if isinstance(answer, SourceError):
            raise answer
        return answer

    async def quota_left(self) -> int | None:
        return self.quota

    async def close(self) -> None:
        self.closed = True


def sources(*items: FakeSource) -> list[FakeSource]:
    return list(items)


def polled_numbers(source: FakeSource) -> Iterable[str]:
    return source.polls.elements()
