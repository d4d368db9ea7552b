"""Sign-in throttling: after `free` failures within the window, each further try waits twice as
long as the previous one (up to `max_delay`), per account and per client address alike."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True, slots=True)
class ThrottlePolicy:
    window: timedelta = timedelta(minutes=15)
    free: int = 5
    base_delay: timedelta = timedelta(seconds=2)
    max_delay: timedelta = timedelta(minutes=15)


def retry_after(
    failures: int, last_failure: datetime | None, now: datetime, policy: ThrottlePolicy
) -> timedelta | None:
    """How long the next try must wait, or None if it may go now. `failures` counts those
    within the window."""
    if failures < policy.free or last_failure is None:
        return None
    delay = min(policy.base_delay * 2 ** (failures - policy.free), policy.max_delay)
    wait = last_failure + delay - now
    return wait if wait > timedelta(0) else None
