"""Test support at the HTTP edge: the app in-process or on a real port, SSE reading, Chromium."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any, Literal

import httpx
import uvicorn


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


@contextlib.asynccontextmanager
async def serve(app: Any, lifespan: Literal["on", "off"] = "off") -> AsyncIterator[str]:
    """Runs `app` with uvicorn on an ephemeral port of 127.0.0.1; yields its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        app, log_config=None, access_log=False, lifespan=lifespan, timeout_graceful_shutdown=1
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        while not server.started:
            if task.done():
                task.result()
            await asyncio.sleep(0.01)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
        sock.close()


# Debian's Chromium (installed by `make bootstrap`), never a browser build Playwright downloads;
# without the background-networking flags it keeps calling out of this closed network.
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
