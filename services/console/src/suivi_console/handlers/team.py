"""An owner's team: invite staff (an account with an unusable random password and a mailed link
to choose one, valid 3 days), list and remove them. Owners are created by suivi-admin only."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import asyncpg

from suivi_console.adapters import pg_accounts as pga
from suivi_console.domain import passwords, reset
from suivi_console.handlers.accounts import Mailer
from suivi_console.handlers.merchants import Actor, NotFound

INVITE_TTL = timedelta(days=3)


class Taken(Exception):  # noqa: N818 - an answer, not a failure
    """The address has an account already (here or at another merchant)."""


@dataclass
class Team:
    pool: asyncpg.Pool
    clock: Callable[[], datetime]
    mailer: Mailer
    secret_key: str
    public_base_url: str

    async def members(self, merchant_id: str) -> list[pga.User]:
        async with self.pool.acquire() as conn:
            return await pga.users_of(conn, merchant_id)

    async def invite(self, actor: Actor, email: str, shop: str) -> None:
        unusable = passwords.hash_password(secrets.token_urlsafe(32))
        try:
            async with self.pool.acquire() as conn, conn.transaction():
                user_id = await pga.create_user(conn, actor.merchant_id, email, "staff", unusable)
                await pga.audit(conn, actor.merchant_id, actor.user_id, "staff_invited",
                                self.clock(), {"user_id": user_id})  # fmt: skip
        except asyncpg.UniqueViolationError:
            raise Taken(email) from None
        token = reset.make_token(self.secret_key, user_id, unusable, self.clock(), INVITE_TTL)
        link = f"{self.public_base_url.rstrip('/')}/reset/{token}"
        await self.mailer.send(
            email.strip(), f"Suivi: {shop} invites you / {shop} vous invite",
            f"Choose your password within 3 days to join {shop}'s console:\n{link}\n\n"
            f"Choisissez votre mot de passe dans les 3 jours pour rejoindre la console de "
            f"{shop}.\n",
        )  # fmt: skip

    async def remove(self, actor: Actor, user_id: int) -> None:
        async with self.pool.acquire() as conn, conn.transaction():
            if not await pga.delete_staff(conn, actor.merchant_id, user_id):
                raise NotFound(str(user_id))
            await pga.audit(conn, actor.merchant_id, actor.user_id, "staff_removed",
                            self.clock(), {"user_id": user_id})  # fmt: skip
