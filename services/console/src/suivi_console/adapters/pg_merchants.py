"""Merchants in PostgreSQL: their branding and settings, API keys, webhook endpoints and logo.
Every query takes the merchant id of the session: another merchant's rows are never reached."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg


@dataclass(frozen=True, slots=True)
class KeyRow:
    key_id: str
    label: str
    prefix: str
    sha256: str
    internal: bool
    valid_from: datetime
    valid_until: datetime | None
    revoked_at: datetime | None


@dataclass(frozen=True, slots=True)
class WebhookRow:
    endpoint_id: str
    url: str
    events: list[str]
    secrets: list[str]
    active: bool


@dataclass(frozen=True, slots=True)
class MerchantRow:
    merchant_id: str
    revision: int
    active: bool
    branding: dict[str, Any]
    notifications: dict[str, Any]
    updated_at: datetime


async def create_merchant(
    conn: asyncpg.Connection, merchant_id: str, branding: dict[str, Any], now: datetime
) -> None:
    await conn.execute(
        "INSERT INTO console_merchants (merchant_id, branding, created_at, updated_at) "
        "VALUES ($1, $2::jsonb, $3, $3)",
        merchant_id, json.dumps(branding), now,
    )  # fmt: skip


async def merchant(conn: asyncpg.Connection, merchant_id: str) -> MerchantRow | None:
    row = await conn.fetchrow(
        "SELECT merchant_id, revision, active, branding, notifications, updated_at "
        "FROM console_merchants WHERE merchant_id = $1",
        merchant_id,
    )
    if row is None:
        return None
    return MerchantRow(row["merchant_id"], row["revision"], row["active"],
                       json.loads(row["branding"]), json.loads(row["notifications"]),
                       row["updated_at"])  # fmt: skip


async def merchant_ids(conn: asyncpg.Connection) -> list[str]:
    return [r["merchant_id"] for r in await conn.fetch("SELECT merchant_id FROM console_merchants")]


async def bump(conn: asyncpg.Connection, merchant_id: str, now: datetime) -> int:
    """A new revision of the merchant's record (call in the transaction of the change)."""
    revision: int = await conn.fetchval(
        "UPDATE console_merchants SET revision = revision + 1, updated_at = $2 "
        "WHERE merchant_id = $1 RETURNING revision",
        merchant_id, now,
    )  # fmt: skip
    return revision


async def set_branding(
    conn: asyncpg.Connection, merchant_id: str, branding: dict[str, Any]
) -> None:
    await conn.execute(
        "UPDATE console_merchants SET branding = $2::jsonb WHERE merchant_id = $1",
        merchant_id, json.dumps(branding),
    )  # fmt: skip


async def set_notifications(
    conn: asyncpg.Connection, merchant_id: str, settings: dict[str, Any]
) -> None:
    await conn.execute(
        "UPDATE console_merchants SET notifications = $2::jsonb WHERE merchant_id = $1",
        merchant_id, json.dumps(settings),
    )  # fmt: skip


_KEY = "key_id, label, prefix, sha256, internal, valid_from, valid_until, revoked_at"


def _key(r: asyncpg.Record) -> KeyRow:
    return KeyRow(r["key_id"], r["label"], r["prefix"], r["sha256"], r["internal"],
                  r["valid_from"], r["valid_until"], r["revoked_at"])  # fmt: skip


async def keys(conn: asyncpg.Connection, merchant_id: str) -> list[KeyRow]:
    rows = await conn.fetch(
        f"SELECT {_KEY} FROM console_api_keys WHERE merchant_id = $1 "  # noqa: S608
        "ORDER BY created_at DESC, key_id",
        merchant_id,
    )
    return [_key(r) for r in rows]


async def key(conn: asyncpg.Connection, merchant_id: str, key_id: str) -> KeyRow | None:
    row = await conn.fetchrow(
        f"SELECT {_KEY} FROM console_api_keys WHERE merchant_id = $1 AND key_id = $2",  # noqa: S608
        merchant_id, key_id,
    )  # fmt: skip
    return _key(row) if row else None


async def insert_key(
    conn: asyncpg.Connection, merchant_id: str, key_id: str, label: str, sha256: str,
    prefix: str, now: datetime, plaintext: str | None = None,
) -> None:  # fmt: skip
    await conn.execute(
        "INSERT INTO console_api_keys (key_id, merchant_id, label, sha256, prefix, internal, "
        "plaintext, valid_from) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        key_id, merchant_id, label, sha256, prefix, plaintext is not None, plaintext, now,
    )  # fmt: skip


async def end_key(
    conn: asyncpg.Connection, merchant_id: str, key_id: str, until: datetime, revoked: bool
) -> bool:
    done = await conn.fetchval(
        "UPDATE console_api_keys SET valid_until = LEAST(coalesce(valid_until, $3), $3), "
        "revoked_at = CASE WHEN $4 THEN $3 ELSE revoked_at END "
        "WHERE merchant_id = $1 AND key_id = $2 AND revoked_at IS NULL RETURNING 1",
        merchant_id, key_id, until, revoked,
    )  # fmt: skip
    return done is not None


async def internal_key(conn: asyncpg.Connection, merchant_id: str) -> str | None:
    """The console's own key for the merchant (to call the merchant APIs on its behalf)."""
    value: str | None = await conn.fetchval(
        "SELECT plaintext FROM console_api_keys WHERE merchant_id = $1 AND internal "
        "AND revoked_at IS NULL ORDER BY created_at DESC LIMIT 1",
        merchant_id,
    )
    return value


async def webhooks(conn: asyncpg.Connection, merchant_id: str) -> list[WebhookRow]:
    rows = await conn.fetch(
        "SELECT endpoint_id, url, events, secrets, active FROM console_webhooks "
        "WHERE merchant_id = $1 ORDER BY created_at, endpoint_id",
        merchant_id,
    )
    return [WebhookRow(r["endpoint_id"], r["url"], list(r["events"]), list(r["secrets"]),
                       r["active"]) for r in rows]  # fmt: skip


async def insert_webhook(
    conn: asyncpg.Connection, merchant_id: str, endpoint_id: str, url: str, events: list[str],
    secret: str,
) -> None:  # fmt: skip
    await conn.execute(
        "INSERT INTO console_webhooks (endpoint_id, merchant_id, url, events, secrets) "
        "VALUES ($1, $2, $3, $4, $5)",
        endpoint_id, merchant_id, url, events, [secret],
    )  # fmt: skip


async def rotate_webhook_secret(
    conn: asyncpg.Connection, merchant_id: str, endpoint_id: str, secret: str
) -> bool:
    """The new secret first, the previous one kept (receivers accept either during rotation)."""
    done = await conn.fetchval(
        "UPDATE console_webhooks SET secrets = ARRAY[$3::text, secrets[1]] "
        "WHERE merchant_id = $1 AND endpoint_id = $2 RETURNING 1",
        merchant_id, endpoint_id, secret,
    )  # fmt: skip
    return done is not None


async def delete_webhook(conn: asyncpg.Connection, merchant_id: str, endpoint_id: str) -> bool:
    done = await conn.fetchval(
        "DELETE FROM console_webhooks WHERE merchant_id = $1 AND endpoint_id = $2 RETURNING 1",
        merchant_id, endpoint_id,
    )  # fmt: skip
    return done is not None


async def put_logo(
    conn: asyncpg.Connection, merchant_id: str, content_type: str, body: bytes, digest: str,
    now: datetime,
) -> None:  # fmt: skip
    await conn.execute(
        "INSERT INTO console_logos (merchant_id, content_type, body, digest, updated_at) "
        "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (merchant_id) DO UPDATE SET "
        "content_type = $2, body = $3, digest = $4, updated_at = $5",
        merchant_id, content_type, body, digest, now,
    )  # fmt: skip


async def logo(conn: asyncpg.Connection, merchant_id: str, digest: str) -> tuple[str, bytes] | None:
    row = await conn.fetchrow(
        "SELECT content_type, body FROM console_logos WHERE merchant_id = $1 AND digest = $2",
        merchant_id, digest,
    )  # fmt: skip
    return (row["content_type"], bytes(row["body"])) if row else None
