"""One connection's statements, one at a time, each on its way while Python works.

asyncpg runs one statement at a time on a connection, and PostgreSQL works on a statement while
the client is free: `send` starts one (its task writes it to the socket at once) and returns, so
the caller can do the CPU work that does not need its result (decode the next records, plan the
previous part of the batch) and await it afterwards. The next `send` (or `fetch`) first waits
for the statement in flight to end, and raises its error if it failed: the statements of a
transaction run in the order they were sent, and none runs after a failed one.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import asyncpg

T = TypeVar("T")


class Wire:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn
        self._busy: asyncio.Future[Any] | None = None

    async def send(self, call: Callable[[asyncpg.Connection], Awaitable[T]]) -> asyncio.Future[T]:
        """Starts `call(conn)` (one or more statements) once the connection is free; its
        future gives what it returns."""
        await self.idle()
        task = asyncio.ensure_future(call(self.conn))
        self._busy = task
        await asyncio.sleep(0)  # the task runs up to its first wait: the statement is sent
        return task

    async def idle(self) -> None:
        """Waits until no statement is in flight; raises the error of the last one if it
        failed (its owner then never awaits it)."""
        busy, self._busy = self._busy, None
        if busy is not None:
            await asyncio.wait((busy,))
            if not busy.cancelled() and busy.exception() is not None:
                raise busy.exception()  # type: ignore[misc]

    async def fetch(self, query: str, *args: Any) -> list[asyncpg.Record]:
        """`conn.fetch` once the connection is free."""
        await self.idle()
        return await self.conn.fetch(query, *args)  # type: ignore[no-any-return]

    async def settle(self) -> None:
        """On the way out after a failure or a cancellation: the statement in flight, if any,
        is cancelled and waited for, so the connection can be rolled back and given back."""
        busy, self._busy = self._busy, None
        if busy is not None and not busy.done():
            busy.cancel()
        if busy is not None:
            with contextlib.suppress(BaseException):
                await asyncio.wait((busy,))
            if not busy.cancelled():
                busy.exception()  # retrieved: no "never retrieved" warning
