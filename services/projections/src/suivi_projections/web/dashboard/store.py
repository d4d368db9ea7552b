"""The dashboard's SQL (migration 0008) as functions over a caller-held connection: the caller
owns the transaction (the outbox's claim, link and delete commit together). Parameters are
always bound; emails come normalised (trimmed, lower case)."""

from __future__ import annotations

from datetime import datetime, timedelta

import asyncpg

_ENQUEUE = """
INSERT INTO dashboard_outbox (merchant_id, email, language, due_at) VALUES ($1, $2, $3, $4)
"""
# One due request, locked: several API processes drain the outbox together.
_CLAIM = """
SELECT request_id, merchant_id, email, language, attempts FROM dashboard_outbox
WHERE due_at <= $1 ORDER BY due_at LIMIT 1 FOR UPDATE SKIP LOCKED
"""
_DELETE_REQUEST = "DELETE FROM dashboard_outbox WHERE request_id = $1"
_RETRY_REQUEST = """
UPDATE dashboard_outbox SET attempts = attempts + 1, due_at = $2 WHERE request_id = $1
"""
_POSTPONE_REQUEST = "UPDATE dashboard_outbox SET due_at = $2 WHERE request_id = $1"
_HAS_ORDERS = """
SELECT EXISTS (SELECT 1 FROM orders
               WHERE lower(btrim(customer_email)) = $1 AND merchant_id = $2)
"""
# Newest first; $2 NULL: every shop's (the shopper consented).
_ORDER_TOKENS = """
SELECT status_token FROM orders
WHERE lower(btrim(customer_email)) = $1 AND ($2::text IS NULL OR merchant_id = $2)
ORDER BY placed_at DESC, order_id DESC LIMIT $3
"""
_INSERT_LINK = """
INSERT INTO dashboard_links (link_digest, merchant_id, email, email_hash, expires_at)
VALUES ($1, $2, $3, $4, $5)
"""
_PEEK_LINK = """
SELECT merchant_id, email, email_hash, expires_at, used_at FROM dashboard_links
WHERE link_digest = $1
"""
# The single-use guard: only one caller ever gets the row back.
_USE_LINK = """
UPDATE dashboard_links SET used_at = $2 WHERE link_digest = $1 AND used_at IS NULL
RETURNING merchant_id, email, email_hash
"""
_OPEN_SESSION = """
INSERT INTO dashboard_sessions (session_digest, merchant_id, email, email_hash, seen_at,
    expires_at) VALUES ($1, $2, $3, $4, $5, $6)
"""
# Alive: seen within the idle timeout and before its absolute end; seeing it moves seen_at.
_TOUCH_SESSION = """
UPDATE dashboard_sessions SET seen_at = $2
WHERE session_digest = $1 AND seen_at > $2::timestamptz - $3::interval AND expires_at > $2
RETURNING merchant_id, email, email_hash
"""
_CLOSE_SESSION = "DELETE FROM dashboard_sessions WHERE session_digest = $1"
_CONSENT = "SELECT EXISTS (SELECT 1 FROM dashboard_consents WHERE email_hash = $1)"
_GRANT = """
INSERT INTO dashboard_consents (email_hash, granted_at) VALUES ($1, $2)
ON CONFLICT (email_hash) DO NOTHING
"""
_REVOKE = "DELETE FROM dashboard_consents WHERE email_hash = $1"
_PRUNE = (
    "DELETE FROM dashboard_links WHERE expires_at <= $1",
    "DELETE FROM dashboard_sessions"
    " WHERE expires_at <= $1 OR seen_at <= $1::timestamptz - $2::interval",
)


async def enqueue(conn: asyncpg.Connection, merchant_id: str, email: str, language: str,
                  due: datetime) -> None:  # fmt: skip
    await conn.execute(_ENQUEUE, merchant_id, email, language, due)


async def claim(conn: asyncpg.Connection, now: datetime) -> asyncpg.Record | None:
    """The next due request, locked until the caller's transaction ends."""
    return await conn.fetchrow(_CLAIM, now)


async def done(conn: asyncpg.Connection, request_id: int) -> None:
    await conn.execute(_DELETE_REQUEST, request_id)


async def retry(conn: asyncpg.Connection, request_id: int, due: datetime) -> None:
    """Counts an attempt and moves the next one to `due` (the lease of the attempt)."""
    await conn.execute(_RETRY_REQUEST, request_id, due)


async def postpone(conn: asyncpg.Connection, request_id: int, due: datetime) -> None:
    await conn.execute(_POSTPONE_REQUEST, request_id, due)


async def has_orders(conn: asyncpg.Connection, email: str, merchant_id: str) -> bool:
    return bool(await conn.fetchval(_HAS_ORDERS, email, merchant_id))


async def order_tokens(
    conn: asyncpg.Connection, email: str, merchant_id: str | None, limit: int
) -> list[str]:
    return [r["status_token"] for r in await conn.fetch(_ORDER_TOKENS, email, merchant_id, limit)]


async def insert_link(conn: asyncpg.Connection, link_digest: bytes, merchant_id: str, email: str,
                      email_hash: bytes, expires: datetime) -> None:  # fmt: skip
    await conn.execute(_INSERT_LINK, link_digest, merchant_id, email, email_hash, expires)


async def peek_link(conn: asyncpg.Connection, link_digest: bytes) -> asyncpg.Record | None:
    return await conn.fetchrow(_PEEK_LINK, link_digest)


async def use_link(
    conn: asyncpg.Connection, link_digest: bytes, now: datetime
) -> asyncpg.Record | None:
    """The link's shop and email if this call used it; None when it was used already."""
    return await conn.fetchrow(_USE_LINK, link_digest, now)


async def open_session(conn: asyncpg.Connection, session_digest: bytes, merchant_id: str,
                       email: str, email_hash: bytes, now: datetime,
                       ends: datetime) -> None:  # fmt: skip
    await conn.execute(_OPEN_SESSION, session_digest, merchant_id, email, email_hash, now, ends)


async def touch_session(
    conn: asyncpg.Connection, session_digest: bytes, now: datetime, idle: timedelta
) -> asyncpg.Record | None:
    return await conn.fetchrow(_TOUCH_SESSION, session_digest, now, idle)


async def close_session(conn: asyncpg.Connection, session_digest: bytes) -> None:
    await conn.execute(_CLOSE_SESSION, session_digest)


async def consented(conn: asyncpg.Connection, email_hash: bytes) -> bool:
    return bool(await conn.fetchval(_CONSENT, email_hash))


async def set_consent(
    conn: asyncpg.Connection, email_hash: bytes, given: bool, now: datetime
) -> None:
    if given:
        await conn.execute(_GRANT, email_hash, now)
    else:
        await conn.execute(_REVOKE, email_hash)


async def prune(conn: asyncpg.Connection, now: datetime, idle: timedelta) -> None:
    await conn.execute(_PRUNE[0], now)
    await conn.execute(_PRUNE[1], now, idle)
