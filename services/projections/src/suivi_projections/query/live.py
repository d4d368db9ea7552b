"""Live updates: one PostgreSQL LISTEN connection, fanned out to the SSE streams of each order.

`LiveHub` is the in-process fan-out (status token → waiting streams); `PostgresOrderListener`
feeds it from `LISTEN suivi_order_changed` on one dedicated connection shared by every
subscriber, reconnecting when it is lost; `event_stream` is what one SSE response sends.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import asyncpg

from suivi_infra.tasks import cancel
from suivi_projections.db.notify import ORDER_CHANGED_CHANNEL

log = logging.getLogger("suivi_projections.live")


class TooManySubscribersError(Exception):
    """The configured maximum of concurrent streams is reached."""


class Subscription:
    """One stream's mailbox: a flag, so that a burst of changes wakes the stream once."""

    __slots__ = ("_changed", "closed", "token")

    def __init__(self, token: str) -> None:
        self.token = token
        self._changed = asyncio.Event()
        self.closed = False

    def notify(self) -> None:
        self._changed.set()

    def close(self) -> None:
        self.closed = True
        self._changed.set()

    async def wait(self, seconds: float) -> bool:
        """True when something changed (or the hub closed) within `seconds`."""
        try:
            await asyncio.wait_for(self._changed.wait(), seconds)
        except TimeoutError:
            return False
        self._changed.clear()
        return True


class LiveHub:
    """Status token → subscriptions. Everything runs on the event loop: no locks needed."""

    def __init__(self, max_subscribers: int = 10_000) -> None:
        self.max_subscribers = max_subscribers
        self._by_token: dict[str, set[Subscription]] = {}
        self._count = 0
        self._on_count: Callable[[int], None] = lambda _: None
        self.connected = False  # whether a source of notifications is attached and listening

    @property
    def subscribers(self) -> int:
        return self._count

    def attach_counter(self, callback: Callable[[int], None]) -> None:
        """`callback(n)` whenever the number of open streams changes (a metrics gauge)."""
        self._on_count = callback
        callback(self._count)

    @property
    def full(self) -> bool:
        return self._count >= self.max_subscribers

    @contextlib.contextmanager
    def subscribe(self, token: str, *more: str) -> Iterator[Subscription]:
        """One stream woken by any of its orders (several: the shopper's dashboard)."""
        if self._count >= self.max_subscribers:
            raise TooManySubscribersError
        subscription = Subscription(token)
        tokens = {token, *more}
        for each in tokens:
            self._by_token.setdefault(each, set()).add(subscription)
        self._set_count(self._count + 1)
        try:
            yield subscription
        finally:
            for each in tokens:
                waiting = self._by_token.get(each)
                if waiting is not None:
                    waiting.discard(subscription)
                    if not waiting:
                        del self._by_token[each]
            self._set_count(self._count - 1)

    def publish(self, token: str) -> int:
        """Wakes every stream of this order; returns how many."""
        waiting = self._by_token.get(token, ())
        for subscription in waiting:
            subscription.notify()
        return len(waiting)

    def publish_all(self) -> None:
        """After a gap in notifications (listener reconnected): every stream re-fetches."""
        for waiting in self._by_token.values():
            for subscription in waiting:
                subscription.notify()

    def close(self) -> None:
        """Ends every stream (shutdown): browsers reconnect to another instance."""
        for waiting in self._by_token.values():
            for subscription in waiting:
                subscription.close()

    def _set_count(self, count: int) -> None:
        self._count = count
        self._on_count(count)


class PostgresOrderListener:
    """`LISTEN suivi_order_changed` on one dedicated connection; payload = status token."""

    def __init__(
        self,
        dsn: str,
        hub: LiveHub,
        *,
        probe_seconds: float = 30.0,
        retry_seconds: float = 2.0,
        connect: Callable[..., Any] = asyncpg.connect,
    ) -> None:
        self._dsn = dsn
        self._hub = hub
        self._probe_seconds = probe_seconds
        self._retry_seconds = retry_seconds
        self._connect = connect
        self._task: asyncio.Task[None] | None = None
        self.connections = 0  # how many times a LISTEN connection was established
        self.backend_pid: int | None = None  # server process of the LISTEN connection

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="suivi-order-listener")

    async def stop(self) -> None:
        await cancel(self._task)
        self._task = None

    def _on_notification(self, _conn: Any, _pid: int, _channel: str, payload: str) -> None:
        self._hub.publish(payload)

    async def _run(self) -> None:
        while True:
            conn: Any = None
            try:
                conn = await self._connect(self._dsn, timeout=10)
                lost = asyncio.Event()
                conn.add_termination_listener(functools.partial(_set, lost))
                await conn.add_listener(ORDER_CHANGED_CHANNEL, self._on_notification)
                self.connections += 1
                self.backend_pid = conn.get_server_pid()
                self._hub.connected = True
                if self.connections > 1:
                    log.info("order listener reconnected")
                    self._hub.publish_all()  # notifications may have been missed meanwhile
                await self._watch(conn, lost)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # supervisor loop: whatever failed, connect again
                log.warning("order listener: %s; retrying", type(exc).__name__)
            finally:
                self._hub.connected = False
                self.backend_pid = None
                if conn is not None:
                    with contextlib.suppress(Exception):
                        await asyncio.wait_for(conn.close(), 2)
            await asyncio.sleep(self._retry_seconds)

    async def _watch(self, conn: Any, lost: asyncio.Event) -> None:
        """Returns when the connection is gone; probes it when idle (half-open TCP)."""
        while not lost.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(lost.wait(), self._probe_seconds)
                return
            await conn.fetchval("SELECT 1", timeout=self._probe_seconds)


def _set(event: asyncio.Event, _conn: Any) -> None:
    event.set()


async def event_stream(
    subscription: Subscription,
    *,
    heartbeat_seconds: float,
    max_seconds: float,
    clock: Callable[[], float] | None = None,
) -> AsyncIterator[bytes]:
    """The bytes of one SSE response: `changed` events, comment heartbeats, then an end.

    Events carry no data beyond their name: the page re-fetches what it shows, so a stream
    never holds personal data and a missed event only delays an update.
    """
    loop_time = clock or asyncio.get_running_loop().time
    deadline = loop_time() + max_seconds
    yield b"retry: 3000\n: connected\n\n"
    while not subscription.closed:
        left = deadline - loop_time()
        if left <= 0:
            break
        if await subscription.wait(min(heartbeat_seconds, left)):
            if subscription.closed:
                break
            yield b"event: changed\ndata: {}\n\n"
        else:
            yield b": heartbeat\n\n"
    yield b"event: bye\ndata: {}\n\n"
