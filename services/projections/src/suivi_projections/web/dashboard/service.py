"""The dashboard's application layer: sign-in requests → outbox → mail; links → sessions;
sessions → the email's orders (within the shop, or every shop with consent).

The request path only counts and enqueues: whether the email has orders is decided by the
background drainer, so the answer and its timing are the same for every address. The drainer
leases one request at a time (`FOR UPDATE SKIP LOCKED`), commits its link, sends the mail and
deletes the request once the SMTP server accepted it; a failed send is retried with a growing
delay, then dropped. Neither links nor session ids are logged; the database keeps their digests.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Protocol

import asyncpg

from suivi_projections.web.dashboard import store
from suivi_projections.web.dashboard.keys import DashboardKeys, digest, parse_link
from suivi_projections.web.dashboard.limits import SigninLimiter

log = logging.getLogger("suivi_projections.dashboard")
Clock = Callable[[], datetime]
LEASE = timedelta(minutes=2)  # a claimed request's next try, unless its mail was settled


class Mailer(Protocol):
    async def send(self, to: str, subject: str, text: str) -> None: ...


class SigninMail(Protocol):
    def __call__(self, *, merchant_id: str, language: str, link: str,
                 minutes: int) -> tuple[str, str]:  # fmt: skip
        """(subject, text) of the mail carrying `link`."""
        ...


class LinkState(StrEnum):
    VALID = "valid"
    USED = "used"
    EXPIRED = "expired"
    INVALID = "invalid"  # malformed, unknown, or signed for another shop or email


@dataclass(frozen=True, slots=True)
class Session:
    session_id: str  # the cookie's value: never logged, never stored as is
    merchant_id: str
    email: str
    email_hash: bytes


@dataclass(frozen=True, slots=True)
class DashboardConfig:
    base_url: str  # where shoppers reach this API (links in mails; never the request's Host)
    link_minutes: int = 15
    idle_minutes: int = 30
    absolute_hours: int = 12
    max_orders: int = 100
    poll_seconds: float = 2.0
    max_attempts: int = 5


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Dashboard:
    pool: asyncpg.Pool
    keys: DashboardKeys
    mailer: Mailer
    mail: SigninMail
    limiter: SigninLimiter
    config: DashboardConfig
    clock: Clock = utc_now
    _wake: asyncio.Event = field(default_factory=asyncio.Event)
    _task: asyncio.Task[None] | None = None

    @property
    def idle(self) -> timedelta:
        return timedelta(minutes=self.config.idle_minutes)

    async def request_link(self, merchant_id: str, email: str, language: str) -> None:
        """Queues the request, whether or not the email has orders (decided off this path)."""
        async with self.pool.acquire() as conn:
            await store.enqueue(conn, merchant_id, email, language, self.clock())
        self._wake.set()

    async def deliver_next(self) -> bool:
        """Handles one due request; False when none is due.

        The claim leases the request (its next try moved `LEASE` ahead, its attempt counted)
        and commits the link with it, before the mail leaves: a shopper who clicks at once
        finds the link, and no SMTP conversation holds a transaction open. The request is
        deleted once the server accepted the mail; a process that dies in between leaves it
        to be sent again when the lease ends (at least once)."""
        now = self.clock()
        async with self.pool.acquire() as conn:
            async with conn.transaction():
                row = await store.claim(conn, now)
                if row is None:
                    return False
                request_id, attempts = row["request_id"], row["attempts"] + 1
                await store.retry(conn, request_id, now + LEASE)
                mail = await self._prepare(conn, row, now)
                if mail is None:  # no orders: nothing to send, the shopper was told the same
                    await store.done(conn, request_id)
                    return True
            try:
                await self.mailer.send(*mail)
            except (OSError, TimeoutError) as exc:
                log.warning("sign-in mail not sent (attempt %d): %s", attempts,
                            type(exc).__name__)  # fmt: skip
                if attempts >= self.config.max_attempts:
                    await store.done(conn, request_id)
                else:
                    delay = timedelta(seconds=min(600, 5 * 3 ** (attempts - 1)))
                    await store.postpone(conn, request_id, now + delay)
                return True
            await store.done(conn, request_id)
        return True

    async def _prepare(
        self, conn: asyncpg.Connection, row: asyncpg.Record, now: datetime
    ) -> tuple[str, str, str] | None:
        """(to, subject, text) of the request's mail, its link written; None without orders."""
        merchant_id, email = row["merchant_id"], row["email"]
        if not await store.has_orders(conn, email, merchant_id):
            return None
        email_hash = self.keys.email_hash(email)
        minutes = self.config.link_minutes
        expires = now + timedelta(minutes=minutes)
        link = self.keys.new_link(merchant_id, email_hash, int(expires.timestamp()))
        await store.insert_link(conn, digest(link.split(".")[0]), merchant_id, email, email_hash,
                                expires)  # fmt: skip
        url = f"{self.config.base_url.rstrip('/')}/me/signin/{link}"
        subject, text = self.mail(merchant_id=merchant_id, language=row["language"], link=url,
                                  minutes=minutes)  # fmt: skip
        return email, subject, text

    async def drain(self) -> int:
        """Delivers every due request; returns how many were handled."""
        handled = 0
        while await self.deliver_next():
            handled += 1
        return handled

    async def check_link(self, text: str) -> tuple[LinkState, str | None]:
        """What the link would do and its shop, without using it (the page asks to confirm)."""
        async with self.pool.acquire() as conn:
            state, row = await self._state(conn, text)
        return state, row["merchant_id"] if row is not None else None

    async def sign_in(self, text: str) -> tuple[LinkState, Session | None]:
        """Uses the link (once) and opens a session for its shop and email."""
        now = self.clock()
        async with self.pool.acquire() as conn, conn.transaction():
            state, row = await self._state(conn, text)
            if state is not LinkState.VALID or row is None:
                return state, None
            used = await store.use_link(conn, digest(text.split(".")[0]), now)
            if used is None:
                return LinkState.USED, None
            session_id = secrets.token_urlsafe(32)
            ends = now + timedelta(hours=self.config.absolute_hours)
            await store.open_session(conn, digest(session_id), used["merchant_id"],
                                     used["email"], used["email_hash"], now, ends)  # fmt: skip
        return state, Session(session_id, used["merchant_id"], used["email"], used["email_hash"])

    async def _state(
        self, conn: asyncpg.Connection, text: str
    ) -> tuple[LinkState, asyncpg.Record | None]:
        link = parse_link(text)
        if link is None:
            return LinkState.INVALID, None
        row = await store.peek_link(conn, digest(link.link_id))
        if row is None or not self.keys.signed(link, row["merchant_id"], row["email_hash"]):
            return LinkState.INVALID, None
        if row["used_at"] is not None:
            return LinkState.USED, row
        expires = datetime.fromtimestamp(link.expires, UTC)
        if min(expires, row["expires_at"]) <= self.clock():
            return LinkState.EXPIRED, row
        return LinkState.VALID, row

    async def session(self, session_id: str | None) -> Session | None:
        """The live session of this cookie value (its idle time restarts), else None."""
        if not session_id or len(session_id) > 64:
            return None
        async with self.pool.acquire() as conn:
            row = await store.touch_session(conn, digest(session_id), self.clock(), self.idle)
        if row is None:
            return None
        return Session(session_id, row["merchant_id"], row["email"], row["email_hash"])

    async def sign_out(self, session: Session) -> None:
        async with self.pool.acquire() as conn:
            await store.close_session(conn, digest(session.session_id))

    async def consented(self, session: Session) -> bool:
        async with self.pool.acquire() as conn:
            return await store.consented(conn, session.email_hash)

    async def set_consent(self, session: Session, given: bool) -> None:
        async with self.pool.acquire() as conn:
            await store.set_consent(conn, session.email_hash, given, self.clock())

    async def order_tokens(self, session: Session, every_shop: bool) -> list[str]:
        """Status tokens of the session's email's orders, newest first: this shop's, or every
        shop's when the shopper consented (`every_shop`)."""
        scope = None if every_shop else session.merchant_id
        async with self.pool.acquire() as conn:
            return await store.order_tokens(conn, session.email, scope, self.config.max_orders)

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="suivi-dashboard-outbox")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        rounds = 0
        while True:
            try:
                await self.drain()
                rounds += 1
                if rounds % 100 == 1:
                    async with self.pool.acquire() as conn:
                        await store.prune(conn, self.clock(), self.idle)
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                log.warning("dashboard outbox: %s; retrying", type(exc).__name__)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.config.poll_seconds)
            self._wake.clear()
