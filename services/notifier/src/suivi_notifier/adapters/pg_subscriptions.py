"""PostgreSQL side of the HTTP API: push subscriptions and unsubscribe links."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

import asyncpg

from suivi_notifier.adapters.pg_intake import token_hash


@dataclass(frozen=True, slots=True)
class OrderRef:
    merchant_id: str
    order_number: str
    locale: str


class Added(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    TOO_MANY = "too_many"


class SubscriptionStore:
    """Its pool is set when the service starts (the API may be built before)."""

    def __init__(self, pool: asyncpg.Pool | None = None) -> None:
        self.pool = pool

    def _pool(self) -> asyncpg.Pool:
        if self.pool is None:
            raise RuntimeError("the database pool is not started")
        return self.pool

    async def ping(self) -> bool:
        try:
            async with self._pool().acquire(timeout=2) as conn:
                return bool(await conn.fetchval("SELECT 1", timeout=2) == 1)
        except Exception:
            return False

    async def _order(self, column: str, token: str) -> OrderRef | None:
        # column is one of two constants (below), never input
        sql = f"SELECT merchant_id, order_number, locale FROM notifier_orders WHERE {column} = $1"  # noqa: S608
        async with self._pool().acquire() as conn:
            row = await conn.fetchrow(sql, token_hash(token))
        return OrderRef(row["merchant_id"], row["order_number"], row["locale"]) if row else None

    async def order_by_status_token(self, token: str) -> OrderRef | None:
        return await self._order("status_token_hash", token)

    async def order_by_unsubscribe_token(self, token: str) -> OrderRef | None:
        return await self._order("unsubscribe_token_hash", token)

    async def add_push(
        self, order: OrderRef, endpoint: str, p256dh: str, auth: str, now: datetime, limit: int
    ) -> Added:
        async with self._pool().acquire() as conn, conn.transaction():
            # Serializes registrations of one order, so the limit holds.
            await conn.execute(
                "SELECT 1 FROM notifier_orders WHERE merchant_id = $1 AND order_number = $2 "
                "FOR UPDATE",
                order.merchant_id,
                order.order_number,
            )
            updated = await conn.fetchval(
                "UPDATE notifier_push_subscriptions SET p256dh = $4, auth = $5 "
                "WHERE merchant_id = $1 AND order_number = $2 AND endpoint = $3 RETURNING id",
                order.merchant_id,
                order.order_number,
                endpoint,
                p256dh,
                auth,
            )
            if updated is not None:
                return Added.UPDATED
            count = await conn.fetchval(
                "SELECT count(*) FROM notifier_push_subscriptions "
                "WHERE merchant_id = $1 AND order_number = $2",
                order.merchant_id,
                order.order_number,
            )
            if count >= limit:
                return Added.TOO_MANY
            await conn.execute(
                "INSERT INTO notifier_push_subscriptions "
                "(merchant_id, order_number, endpoint, p256dh, auth, created_at) "
                "VALUES ($1, $2, $3, $4, $5, $6)",
                order.merchant_id,
                order.order_number,
                endpoint,
                p256dh,
                auth,
                now,
            )
            return Added.CREATED

    async def remove_push(self, order: OrderRef, endpoint: str) -> None:
        async with self._pool().acquire() as conn:
            await conn.execute(
                "DELETE FROM notifier_push_subscriptions "
                "WHERE merchant_id = $1 AND order_number = $2 AND endpoint = $3",
                order.merchant_id,
                order.order_number,
                endpoint,
            )

    async def unsubscribe(self, order: OrderRef, channel: str, now: datetime) -> None:
        column = {"email": "email_unsubscribed_at", "sms": "sms_unsubscribed_at"}[channel]
        async with self._pool().acquire() as conn:
            await conn.execute(
                f"UPDATE notifier_orders SET {column} = coalesce({column}, $3) "  # noqa: S608
                "WHERE merchant_id = $1 AND order_number = $2",
                order.merchant_id,
                order.order_number,
                now,
            )
