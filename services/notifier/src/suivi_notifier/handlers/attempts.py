"""What the shopper dispatcher and the merchant sender share: one bounded send attempt, and the
dispatch settings (batch sizes, lease, retry policy); the planning workers' settings; and the
workers' loop."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import TypeVar

from suivi_notifier.domain.outcomes import Transient
from suivi_notifier.domain.planning import QuietHours

log = logging.getLogger(__name__)
OutcomeT = TypeVar("OutcomeT")


@dataclass(frozen=True, slots=True)
class DispatchConfig:
    quiet: QuietHours
    max_age: timedelta = timedelta(hours=48)
    batch: int = 50
    concurrency: int = 16
    lease: timedelta = timedelta(minutes=2)
    send_timeout: float = 60.0
    retry_base_seconds: float = 30.0
    retry_max_seconds: float = 3600.0
    retry_after_max_seconds: float = 6 * 3600.0
    max_attempts: int = 10
    poll_interval: float = 1.0


@dataclass(frozen=True, slots=True)
class PlanConfig:
    """The alert and after-sales workers' settings: how old an event may still be planned, how
    many events a batch, how long to wait when there were none."""

    max_age: timedelta
    batch: int = 100
    poll_interval: float = 1.0


async def bounded(
    attempt: Awaitable[OutcomeT], seconds: float, label: str, what: str
) -> OutcomeT | Transient:
    """One send attempt within `seconds`; a timeout or an unexpected error (a bug, a library
    surprise) is a transient outcome: retried, bounded by the attempts limit."""
    try:
        return await asyncio.wait_for(attempt, seconds)
    except TimeoutError:
        return Transient(f"{label}_timeout")
    except Exception as exc:
        log.error("%s failed unexpectedly: %s", what, type(exc).__name__)
        return Transient(f"{label}_{type(exc).__name__}"[:64])


async def run_until(
    stop: asyncio.Event, cycle: Callable[[], Awaitable[int]], poll_interval: float, what: str
) -> None:
    """Runs `cycle` until `stop`: again at once while it had work (a count above 0, or True),
    else after `poll_interval`; a failed cycle is logged and tried again (the database or the
    broker may be back)."""
    while not stop.is_set():
        try:
            busy = await cycle() > 0
        except Exception:
            log.exception("%s cycle failed; trying again", what)
            busy = False
        if not busy:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), poll_interval)
