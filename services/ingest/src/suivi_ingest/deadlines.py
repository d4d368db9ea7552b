"""A time limit on many awaits in flight at once, with one timer for all of them.

`asyncio.timeout(seconds)` arms and disarms a timer of its own per await: ~3.5 µs a webhook
(issue 22), when every publish of the process waits the same number of seconds. Here each await
joins a queue in the order of its deadline (the same delay for all: arrival order), and one
timer, rearmed at the earliest deadline still pending (or sooner, to let the queue drop the
awaits that ended), cancels those that are late; the late await then raises `TimeoutError`,
exactly as under `asyncio.timeout`: same moment, same cancellation bookkeeping (`uncancel`),
and a cancellation from elsewhere stays a cancellation.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable
from typing import Any, TypeVar

T = TypeVar("T")
# At most this long between two passes over the queue: waits that ended leave it by then.
SWEEP_SECONDS = 0.1
_EXPIRED: Any = object()  # in place of the task: cancelled by the timer, not by anyone else


class Deadlines:
    """`await deadlines.within(awaitable)`: like `async with asyncio.timeout(seconds)`."""

    def __init__(self, seconds: float) -> None:
        if seconds <= 0:
            raise ValueError("seconds must be positive")
        self.seconds = seconds
        # [deadline (time.monotonic), waiting task | None when ended | _EXPIRED], by deadline.
        self._waits: deque[list[Any]] = deque()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._timer: asyncio.TimerHandle | None = None

    @property
    def pending(self) -> int:
        """Waits still in the queue, ended or not (for tests)."""
        return len(self._waits)

    async def within(self, awaitable: Awaitable[T]) -> T:
        """`awaitable`'s result; TimeoutError when it takes longer than `seconds`."""
        loop = asyncio.get_running_loop()
        task = asyncio.current_task(loop)
        if task is None:
            raise RuntimeError("Deadlines.within must be awaited in a task")
        if loop is not self._loop:  # first use, or another loop (tests): the old queue is moot
            self._loop, self._waits, self._timer = loop, deque(), None
        wait = [time.monotonic() + self.seconds, task]
        self._waits.append(wait)
        if self._timer is None:
            self._timer = loop.call_later(min(self.seconds, SWEEP_SECONDS), self._sweep)
        try:
            return await awaitable
        except asyncio.CancelledError:
            if wait[1] is _EXPIRED:
                wait[1] = None
                if task.uncancel() == 0:
                    raise TimeoutError from None
            raise
        finally:
            if wait[1] is _EXPIRED:  # ended anyway (or with another error) once cancelled
                task.uncancel()
            wait[1] = None

    def _sweep(self) -> None:
        self._timer = None
        waits = self._waits
        now = time.monotonic()
        while waits:
            wait = waits[0]
            task = wait[1]
            if task is not None:
                if wait[0] > now:
                    break
                wait[1] = _EXPIRED
                task.cancel()
            waits.popleft()
        if waits and self._loop is not None:
            delay = min(max(waits[0][0] - now, 0.0), SWEEP_SECONDS)
            self._timer = self._loop.call_later(delay, self._sweep)
