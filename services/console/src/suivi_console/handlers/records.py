"""The merchant's record as merchants.v1 carries it, assembled from the console's rows, and its
publication (after the change committed; the periodic republish mends a failed one)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Protocol

import asyncpg

from suivi_console.adapters import pg_merchants as pgm
from suivi_infra.sealing import seal
from suivi_schemas.merchants import (
    ApiKeyDigest,
    Branding,
    MerchantRecord,
    NotificationSettings,
    WebhookEndpoint,
)

log = logging.getLogger(__name__)


class RecordPublisher(Protocol):
    async def publish(self, record: MerchantRecord) -> None: ...


async def build_record(
    conn: asyncpg.Connection, merchant_id: str, now: datetime, sealing_key: str | None
) -> MerchantRecord | None:
    row = await pgm.merchant(conn, merchant_id)
    if row is None:
        return None
    keys = tuple(
        ApiKeyDigest(
            key_id=k.key_id,
            sha256=k.sha256,
            label=k.label,
            valid_from=k.valid_from,
            valid_until=k.valid_until,
        )
        for k in await pgm.keys(conn, merchant_id)
        if k.revoked_at is None and (k.valid_until is None or k.valid_until > now)
    )
    hooks = tuple(
        WebhookEndpoint(
            endpoint_id=w.endpoint_id,
            url=w.url,
            events=tuple(w.events),
            active=w.active,
            sealed_secrets=tuple(
                seal(sealing_key, s, f"{merchant_id}:{w.endpoint_id}") for s in w.secrets
            )
            if sealing_key
            else (),
        )
        for w in await pgm.webhooks(conn, merchant_id)
    )
    return MerchantRecord(
        merchant_id=merchant_id,
        revision=row.revision,
        updated_at=row.updated_at,
        active=row.active,
        branding=Branding.model_validate(row.branding),
        api_keys=keys,
        notifications=NotificationSettings.model_validate(row.notifications),
        webhooks=hooks,
    )


class Propagation:
    """Publishes a merchant's current record; remembers whether the last attempt failed."""

    def __init__(
        self, pool: asyncpg.Pool, publisher: RecordPublisher, clock: Callable[[], datetime],
        sealing_key: str | None,
    ) -> None:  # fmt: skip
        self.pool, self.publisher, self.clock, self.sealing_key = (
            pool,
            publisher,
            clock,
            sealing_key,
        )

    async def merchant(self, merchant_id: str) -> bool:
        """True once the broker acknowledged the record; False if it must wait for a republish."""
        async with self.pool.acquire() as conn:
            record = await build_record(conn, merchant_id, self.clock(), self.sealing_key)
        if record is None:
            return True
        try:
            await self.publisher.publish(record)
        except Exception as exc:  # the change is saved; the next republish carries it
            log.warning(
                "merchants.v1 publish failed (%s); retried by the republish", type(exc).__name__
            )
            return False
        return True

    async def everyone(self) -> int:
        async with self.pool.acquire() as conn:
            ids = await pgm.merchant_ids(conn)
        published = 0
        for merchant_id in ids:
            published += await self.merchant(merchant_id)
        return published
