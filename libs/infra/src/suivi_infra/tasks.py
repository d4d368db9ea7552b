"""Ending a background task: cancel it, then wait until it has ended."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any


async def cancel(task: asyncio.Task[Any] | None) -> None:
    """Cancels `task` (None: nothing to do) and waits until it has ended; its cancellation is not
    raised here, an error it ended with before is."""
    if task is None:
        return
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
