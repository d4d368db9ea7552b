"""Test support at the HTTP edge: the app in-process, SSE reading, polling. Serving on a real port
and Chromium are every service's: `suivi_infra.browser`."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx


async def next_event(lines: AsyncIterator[str], seconds: float = 10.0) -> str:
    """The name of the next event of an SSE stream's lines (comments, retry skipped)."""

    async def read() -> str:
        async for line in lines:
            if line.startswith("event: "):
                return line.removeprefix("event: ")
        raise EOFError("the stream ended")

    return await asyncio.wait_for(read(), seconds)


async def eventually(condition: Callable[[], bool], seconds: float = 10.0) -> None:
    """Polls `condition` until true; TimeoutError after `seconds`."""
    for _ in range(int(seconds / 0.01)):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise TimeoutError("condition still false")


@contextlib.asynccontextmanager
async def asgi_client(app: Any, **headers: str) -> AsyncIterator[httpx.AsyncClient]:
    """An httpx client calling `app` in-process (no streaming: SSE needs `serve`)."""
    transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 50000))
    async with httpx.AsyncClient(
        transport=transport, base_url="http://suivi.test", headers=headers
    ) as client:
        yield client
