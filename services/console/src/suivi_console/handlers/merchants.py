"""Changes to a merchant (keys, webhooks, branding, notifications): each in one transaction
with its audit entry and a new revision, then the merchant's record is published."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import asyncpg

from suivi_console.adapters import pg_accounts as pga
from suivi_console.adapters import pg_merchants as pgm
from suivi_console.domain import keys as keyrules
from suivi_console.domain import passwords
from suivi_console.handlers.records import Propagation
from suivi_schemas.merchants import Branding, NotificationSettings


class NotFound(LookupError):  # noqa: N818 - an answer, not a failure
    """No such thing for this merchant (another merchant's id is 'not found' too)."""


@dataclass(frozen=True, slots=True)
class Actor:
    merchant_id: str
    user_id: int | None


@dataclass
class Merchants:
    pool: asyncpg.Pool
    clock: Callable[[], datetime]
    propagation: Propagation
    key_grace: timedelta

    async def _change(self, actor: Actor, action: str, detail: dict[str, Any], apply: Any) -> bool:
        """Runs `apply(conn)` with the audit entry and a new revision, then publishes; returns
        whether the record reached the broker (else the periodic republish carries it)."""
        now = self.clock()
        async with self.pool.acquire() as conn, conn.transaction():
            await apply(conn)
            await pgm.bump(conn, actor.merchant_id, now)
            await pga.audit(conn, actor.merchant_id, actor.user_id, action, now, detail)
        return await self.propagation.merchant(actor.merchant_id)

    async def create_key(self, actor: Actor, label: str) -> keyrules.NewKey:
        new = keyrules.new_key(actor.merchant_id)

        async def apply(conn: asyncpg.Connection) -> None:
            await pgm.insert_key(conn, actor.merchant_id, new.key_id, label, new.sha256,
                                 new.prefix, self.clock())  # fmt: skip

        await self._change(actor, "key_created", {"key_id": new.key_id, "label": label}, apply)
        return new

    async def rotate_key(self, actor: Actor, key_id: str) -> keyrules.NewKey:
        """A new key with the same label; the old one works for the grace period."""
        async with self.pool.acquire() as conn:
            old = await pgm.key(conn, actor.merchant_id, key_id)
        if old is None or old.revoked_at is not None or old.internal:
            raise NotFound(key_id)
        new = keyrules.new_key(actor.merchant_id)
        now = self.clock()

        async def apply(conn: asyncpg.Connection) -> None:
            until = keyrules.grace_end(now, self.key_grace, old.valid_until)
            await pgm.end_key(conn, actor.merchant_id, key_id, until, revoked=False)
            await pgm.insert_key(conn, actor.merchant_id, new.key_id, old.label, new.sha256,
                                 new.prefix, now)  # fmt: skip

        detail = {"key_id": key_id, "new_key_id": new.key_id}
        await self._change(actor, "key_rotated", detail, apply)
        return new

    async def revoke_key(self, actor: Actor, key_id: str) -> bool:
        async with self.pool.acquire() as conn:
            old = await pgm.key(conn, actor.merchant_id, key_id)
        if old is None or old.revoked_at is not None or old.internal:
            raise NotFound(key_id)

        async def apply(conn: asyncpg.Connection) -> None:
            await pgm.end_key(conn, actor.merchant_id, key_id, self.clock(), revoked=True)

        return await self._change(actor, "key_revoked", {"key_id": key_id}, apply)

    async def add_webhook(self, actor: Actor, url: str, events: list[str]) -> str:
        endpoint_id, secret = f"wh_{secrets.token_hex(6)}", keyrules.new_webhook_secret()

        async def apply(conn: asyncpg.Connection) -> None:
            await pgm.insert_webhook(conn, actor.merchant_id, endpoint_id, url, events, secret)

        await self._change(actor, "webhook_added", {"endpoint_id": endpoint_id}, apply)
        return secret

    async def rotate_webhook(self, actor: Actor, endpoint_id: str) -> str:
        secret = keyrules.new_webhook_secret()
        found = False

        async def apply(conn: asyncpg.Connection) -> None:
            nonlocal found
            found = await pgm.rotate_webhook_secret(conn, actor.merchant_id, endpoint_id, secret)
            if not found:
                raise NotFound(endpoint_id)

        await self._change(actor, "webhook_secret_rotated", {"endpoint_id": endpoint_id}, apply)
        return secret

    async def delete_webhook(self, actor: Actor, endpoint_id: str) -> None:
        async def apply(conn: asyncpg.Connection) -> None:
            if not await pgm.delete_webhook(conn, actor.merchant_id, endpoint_id):
                raise NotFound(endpoint_id)

        await self._change(actor, "webhook_deleted", {"endpoint_id": endpoint_id}, apply)

    async def set_branding(
        self, actor: Actor, branding: Branding, logo: tuple[bytes, str] | None
    ) -> None:
        async def apply(conn: asyncpg.Connection) -> None:
            value = branding
            if logo is not None:
                body, digest = logo
                await pgm.put_logo(conn, actor.merchant_id, "image/png", body, digest, self.clock())
                value = branding.model_copy(
                    update={"logo_url": f"/logos/{actor.merchant_id}/{digest}.png"}
                )
            await pgm.set_branding(conn, actor.merchant_id, value.model_dump(mode="json"))

        await self._change(actor, "branding_changed", {"logo": logo is not None}, apply)

    async def set_notifications(self, actor: Actor, settings: NotificationSettings) -> None:
        async def apply(conn: asyncpg.Connection) -> None:
            await pgm.set_notifications(conn, actor.merchant_id, settings.model_dump(mode="json"))

        await self._change(actor, "notifications_changed", {}, apply)

    async def onboard(self, merchant_id: str, display_name: str, email: str, password: str) -> int:
        """A new merchant, its owner and the console's internal key (suivi-admin, the demo)."""
        problem = passwords.password_problem(password)
        if problem:
            raise ValueError(f"password: {problem}")
        now = self.clock()
        internal = keyrules.new_key(merchant_id)
        branding = Branding(display_name=display_name).model_dump(mode="json")
        async with self.pool.acquire() as conn, conn.transaction():
            await pgm.create_merchant(conn, merchant_id, branding, now)
            user_id = await pga.create_user(conn, merchant_id, email, "owner",
                                            passwords.hash_password(password))  # fmt: skip
            await pgm.insert_key(conn, merchant_id, internal.key_id, "console", internal.sha256,
                                 internal.prefix, now, plaintext=internal.plaintext)  # fmt: skip
            await pga.audit(conn, merchant_id, user_id, "merchant_created", now)
        await self.propagation.merchant(merchant_id)
        return user_id
