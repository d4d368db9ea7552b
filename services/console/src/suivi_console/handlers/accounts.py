"""Sign-in (password, then TOTP or a recovery code), enrolment, sessions, password reset.

Every failure answers the same whatever was wrong (unknown email or wrong password) and counts
against both the account and the client address; the store is PostgreSQL so every console
process throttles alike."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol

import asyncpg

from suivi_console.adapters import pg_accounts as pga
from suivi_console.domain import passwords, recovery, reset, totp
from suivi_console.domain.sessions import (
    SessionPolicy,
    SessionTimes,
    is_alive,
    new_session_id,
    session_digest,
)
from suivi_console.domain.throttle import ThrottlePolicy, retry_after


class Mailer(Protocol):
    async def send(self, to: str, subject: str, text: str) -> None: ...


class Step(StrEnum):
    REFUSED = "refused"
    THROTTLED = "throttled"
    SECOND_FACTOR = "second_factor"  # a TOTP or recovery code is needed
    ENROL = "enrol"  # an owner without TOTP must enrol first
    DONE = "done"


@dataclass(frozen=True, slots=True)
class Outcome:
    step: Step
    session_id: str | None = None
    retry_after: timedelta | None = None


@dataclass
class Accounts:
    pool: asyncpg.Pool
    clock: Callable[[], datetime]
    sessions: SessionPolicy
    throttle: ThrottlePolicy
    secret_key: str
    mailer: Mailer
    public_base_url: str
    reset_ttl: timedelta = timedelta(minutes=30)

    async def _wait(self, conn: asyncpg.Connection, subjects: list[str]) -> timedelta | None:
        now = self.clock()
        waits = [
            retry_after(n, last, now, self.throttle)
            for n, last in await pga.failures(conn, subjects, now - self.throttle.window)
        ]
        return max((w for w in waits if w is not None), default=None)

    async def _fail(self, conn: asyncpg.Connection, subjects: list[str]) -> None:
        now = self.clock()
        await pga.record_failure(conn, subjects, now, now - self.throttle.window)

    async def _open(self, conn: asyncpg.Connection, user: pga.User, authenticated: bool) -> str:
        session_id = new_session_id()
        digest, secret = session_digest(session_id), secrets.token_urlsafe(32)
        await pga.create_session(conn, digest, user.user_id, secret, authenticated, self.clock())
        return session_id

    async def sign_in(self, email: str, password: str, client: str) -> Outcome:
        subjects = [f"account:{email.strip().lower()}", f"client:{client}"]
        async with self.pool.acquire() as conn:
            wait = await self._wait(conn, subjects)
            if wait is not None:
                return Outcome(Step.THROTTLED, retry_after=wait)
            user = await pga.user_by_email(conn, email)
            if not passwords.verify_password(user.password_hash if user else None, password):
                await self._fail(conn, subjects)
                if user is not None:
                    await pga.audit(conn, user.merchant_id, user.user_id, "signin_failed",
                                    self.clock(), {"factor": "password"})  # fmt: skip
                return Outcome(Step.REFUSED)
            assert user is not None
            if passwords.needs_rehash(user.password_hash):
                await pga.set_password(conn, user.user_id, passwords.hash_password(password))
            if user.totp_secret is None and user.role != "owner":
                session_id = await self._open(conn, user, True)
                await pga.audit(conn, user.merchant_id, user.user_id, "signin", self.clock(),
                                {"factor": "password"})  # fmt: skip
                return Outcome(Step.DONE, session_id)
            session_id = await self._open(conn, user, False)
            step = Step.ENROL if user.totp_secret is None else Step.SECOND_FACTOR
            return Outcome(step, session_id)

    async def current(self, session_id: str) -> pga.Session | None:
        """The live session of the cookie (its idle clock restarted), or None."""
        digest = session_digest(session_id)
        now = self.clock()
        async with self.pool.acquire() as conn:
            found = await pga.session(conn, digest)
            if found is None:
                return None
            times = SessionTimes(found.created_at, found.last_seen_at, found.authenticated)
            if not is_alive(times, now, self.sessions):
                await pga.delete_session(conn, digest)
                return None
            if found.authenticated:
                await pga.touch_session(conn, digest, now)
            return found

    async def second_factor(self, pending: pga.Session, code: str, client: str) -> Outcome:
        """A TOTP code or, if it looks like one, a recovery code; success swaps the pending
        session for a new authenticated one (no fixation)."""
        user = pending.user
        subjects = [f"account:{user.email.lower()}", f"client:{client}"]
        async with self.pool.acquire() as conn, conn.transaction():
            wait = await self._wait(conn, subjects)
            if wait is not None:
                return Outcome(Step.THROTTLED, retry_after=wait)
            ok, factor = False, "totp"
            if recovery.looks_like_code(code):
                factor = "recovery_code"
                ok = await pga.use_recovery_code(
                    conn, user.user_id, recovery.digest(code), self.clock()
                )
            elif user.totp_secret is not None:
                check = totp.check_code(user.totp_secret, code, self.clock(), user.totp_last_step)
                ok = check.ok and await pga.advance_totp_step(conn, user.user_id, check.step or 0)
            if not ok:
                await self._fail(conn, subjects)
                await pga.audit(conn, user.merchant_id, user.user_id, "signin_failed",
                                self.clock(), {"factor": factor})  # fmt: skip
                return Outcome(Step.REFUSED)
            await pga.clear_failures(conn, subjects[0])
            await pga.delete_session(conn, pending.digest)
            session_id = await self._open(conn, user, True)
            await pga.audit(conn, user.merchant_id, user.user_id, "signin", self.clock(),
                            {"factor": factor})  # fmt: skip
            return Outcome(Step.DONE, session_id)

    async def start_enrolment(self, session: pga.Session) -> str:
        """A fresh secret kept on the session until a code confirms it."""
        secret = totp.new_secret()
        async with self.pool.acquire() as conn:
            await pga.set_pending_totp(conn, session.digest, secret)
        return secret

    async def confirm_enrolment(
        self, session: pga.Session, code: str
    ) -> tuple[str, list[str]] | None:
        """(new session id, recovery codes shown once) or None for a wrong code."""
        secret = session.pending_totp
        if secret is None:
            return None
        check = totp.check_code(secret, code, self.clock(), None)
        if not check.ok or check.step is None:
            return None
        codes = recovery.new_codes()
        user = session.user
        async with self.pool.acquire() as conn, conn.transaction():
            await pga.set_totp(conn, user.user_id, secret, check.step)
            await pga.replace_recovery_codes(
                conn, user.user_id, [recovery.digest(c) for c in codes]
            )
            await pga.delete_session(conn, session.digest)
            session_id = await self._open(conn, user, True)
            await pga.audit(conn, user.merchant_id, user.user_id, "totp_enrolled", self.clock())
        return session_id, codes

    async def sign_out(self, session: pga.Session) -> None:
        async with self.pool.acquire() as conn:
            await pga.delete_session(conn, session.digest)
            await pga.audit(conn, session.user.merchant_id, session.user.user_id, "signout",
                            self.clock())  # fmt: skip

    async def request_reset(self, email: str, client: str) -> None:
        """Mails a reset link if the account exists; the answer is the same either way."""
        async with self.pool.acquire() as conn:
            subjects = [f"reset:{email.strip().lower()}", f"client:{client}"]
            if await self._wait(conn, subjects) is not None:
                return
            await self._fail(conn, subjects)  # each request counts: no mail flooding
            user = await pga.user_by_email(conn, email)
            if user is None:
                return
            token = reset.make_token(self.secret_key, user.user_id, user.password_hash,
                                     self.clock(), self.reset_ttl)  # fmt: skip
            await pga.audit(conn, user.merchant_id, user.user_id, "reset_requested", self.clock())
        minutes = int(self.reset_ttl.total_seconds() // 60)
        link = f"{self.public_base_url.rstrip('/')}/reset/{token}"
        await self.mailer.send(
            user.email, "Suivi: reset your password / réinitialiser votre mot de passe",
            f"Open this link within {minutes} minutes to choose a new password:\n{link}\n\n"
            f"Ouvrez ce lien dans les {minutes} minutes pour choisir un nouveau mot de passe.\n"
            "If you did not ask for it, ignore this message.\n",
        )  # fmt: skip

    async def complete_reset(self, token: str, password: str) -> bool:
        user_id = reset.token_user(token)
        if user_id is None or passwords.password_problem(password):
            return False
        async with self.pool.acquire() as conn, conn.transaction():
            user = await pga.user_by_id(conn, user_id)
            if user is None or not reset.token_ok(
                self.secret_key, token, user.password_hash, self.clock()
            ):
                return False
            await pga.set_password(conn, user.user_id, passwords.hash_password(password))
            await pga.audit(conn, user.merchant_id, user.user_id, "password_reset", self.clock())
        return True

    async def reset_token_ok(self, token: str) -> bool:
        user_id = reset.token_user(token)
        if user_id is None:
            return False
        async with self.pool.acquire() as conn:
            user = await pga.user_by_id(conn, user_id)
        return user is not None and reset.token_ok(
            self.secret_key, token, user.password_hash, self.clock()
        )
