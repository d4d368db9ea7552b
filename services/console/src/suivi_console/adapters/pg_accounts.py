"""Accounts in PostgreSQL: users, sessions, recovery codes, sign-in failures, the audit log.
Every query is parameterised and every user query is scoped by what the caller proved."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg


@dataclass(frozen=True, slots=True)
class User:
    user_id: int
    merchant_id: str
    email: str
    role: str
    password_hash: str
    totp_secret: str | None
    totp_last_step: int | None


@dataclass(frozen=True, slots=True)
class Session:
    digest: str
    secret: str
    authenticated: bool
    pending_totp: str | None
    created_at: datetime
    last_seen_at: datetime
    user: User


_USER = (
    "u.user_id, u.merchant_id, u.email, u.role, u.password_hash, u.totp_secret, u.totp_last_step"
)


def _user(row: asyncpg.Record) -> User:
    return User(row["user_id"], row["merchant_id"], row["email"], row["role"],
                row["password_hash"], row["totp_secret"], row["totp_last_step"])  # fmt: skip


async def create_user(
    conn: asyncpg.Connection, merchant_id: str, email: str, role: str, password_hash: str
) -> int:
    user_id: int = await conn.fetchval(
        "INSERT INTO console_users (merchant_id, email, role, password_hash) "
        "VALUES ($1, $2, $3, $4) RETURNING user_id",
        merchant_id, email.strip(), role, password_hash,
    )  # fmt: skip
    return user_id


async def user_by_email(conn: asyncpg.Connection, email: str) -> User | None:
    row = await conn.fetchrow(
        f"SELECT {_USER} FROM console_users u WHERE lower(u.email) = lower($1)",  # noqa: S608
        email.strip(),
    )
    return _user(row) if row else None


async def user_by_id(conn: asyncpg.Connection, user_id: int) -> User | None:
    row = await conn.fetchrow(f"SELECT {_USER} FROM console_users u WHERE u.user_id = $1", user_id)  # noqa: S608
    return _user(row) if row else None


async def users_of(conn: asyncpg.Connection, merchant_id: str) -> list[User]:
    rows = await conn.fetch(
        f"SELECT {_USER} FROM console_users u WHERE u.merchant_id = $1 ORDER BY u.user_id",  # noqa: S608
        merchant_id,
    )
    return [_user(r) for r in rows]


async def delete_staff(conn: asyncpg.Connection, merchant_id: str, user_id: int) -> bool:
    """Removes a staff account of this merchant (never an owner, never another's)."""
    done = await conn.fetchval(
        "DELETE FROM console_users WHERE merchant_id = $1 AND user_id = $2 AND role = 'staff' "
        "RETURNING 1",
        merchant_id, user_id,
    )  # fmt: skip
    return done is not None


async def set_password(conn: asyncpg.Connection, user_id: int, password_hash: str) -> None:
    await conn.execute(
        "UPDATE console_users SET password_hash = $2 WHERE user_id = $1", user_id, password_hash
    )
    # A new password ends every session of the account.
    await conn.execute("DELETE FROM console_sessions WHERE user_id = $1", user_id)


async def set_totp(conn: asyncpg.Connection, user_id: int, secret: str, step: int) -> None:
    await conn.execute(
        "UPDATE console_users SET totp_secret = $2, totp_last_step = $3 WHERE user_id = $1",
        user_id, secret, step,
    )  # fmt: skip


async def advance_totp_step(conn: asyncpg.Connection, user_id: int, step: int) -> bool:
    """Records `step` as used; False if a concurrent sign-in used it (or a later one) first."""
    done = await conn.fetchval(
        "UPDATE console_users SET totp_last_step = $2 WHERE user_id = $1 "
        "AND (totp_last_step IS NULL OR totp_last_step < $2) RETURNING 1",
        user_id, step,
    )  # fmt: skip
    return done is not None


async def replace_recovery_codes(
    conn: asyncpg.Connection, user_id: int, digests: list[str]
) -> None:
    await conn.execute("DELETE FROM console_recovery_codes WHERE user_id = $1", user_id)
    await conn.executemany(
        "INSERT INTO console_recovery_codes (user_id, digest) VALUES ($1, $2)",
        [(user_id, d) for d in digests],
    )


async def use_recovery_code(
    conn: asyncpg.Connection, user_id: int, digest: str, now: datetime
) -> bool:
    """Marks the code used; True only the first time (the UPDATE is the single-use guard)."""
    done = await conn.fetchval(
        "UPDATE console_recovery_codes SET used_at = $3 "
        "WHERE user_id = $1 AND digest = $2 AND used_at IS NULL RETURNING 1",
        user_id, digest, now,
    )  # fmt: skip
    return done is not None


async def recovery_codes_left(conn: asyncpg.Connection, user_id: int) -> int:
    count: int = await conn.fetchval(
        "SELECT count(*) FROM console_recovery_codes WHERE user_id = $1 AND used_at IS NULL",
        user_id,
    )
    return count


async def create_session(
    conn: asyncpg.Connection, digest: str, user_id: int, secret: str, authenticated: bool,
    now: datetime,
) -> None:  # fmt: skip
    await conn.execute(
        "INSERT INTO console_sessions (digest, user_id, secret, authenticated, created_at, "
        "last_seen_at) VALUES ($1, $2, $3, $4, $5, $5)",
        digest, user_id, secret, authenticated, now,
    )  # fmt: skip


async def session(conn: asyncpg.Connection, digest: str) -> Session | None:
    row = await conn.fetchrow(
        f"SELECT s.digest, s.secret, s.authenticated, s.pending_totp, s.created_at, "  # noqa: S608
        f"s.last_seen_at, {_USER} FROM console_sessions s "
        "JOIN console_users u USING (user_id) WHERE s.digest = $1",
        digest,
    )
    if row is None:
        return None
    return Session(row["digest"], row["secret"], row["authenticated"], row["pending_totp"],
                   row["created_at"], row["last_seen_at"], _user(row))  # fmt: skip


async def touch_session(conn: asyncpg.Connection, digest: str, now: datetime) -> None:
    await conn.execute(
        "UPDATE console_sessions SET last_seen_at = $2 WHERE digest = $1", digest, now
    )


async def set_pending_totp(conn: asyncpg.Connection, digest: str, secret: str | None) -> None:
    await conn.execute(
        "UPDATE console_sessions SET pending_totp = $2 WHERE digest = $1", digest, secret
    )


async def delete_session(conn: asyncpg.Connection, digest: str) -> None:
    await conn.execute("DELETE FROM console_sessions WHERE digest = $1", digest)


async def failures(
    conn: asyncpg.Connection, subjects: list[str], since: datetime
) -> list[tuple[int, datetime | None]]:
    """(failures since `since`, the latest) for each subject, in order."""
    rows = await conn.fetch(
        "SELECT s.subject, count(f.failed_at) AS n, max(f.failed_at) AS last "
        "FROM unnest($1::text[]) AS s(subject) LEFT JOIN console_login_failures f "
        "ON f.subject = s.subject AND f.failed_at >= $2 GROUP BY s.subject",
        subjects, since,
    )  # fmt: skip
    found = {r["subject"]: (r["n"], r["last"]) for r in rows}
    return [found.get(s, (0, None)) for s in subjects]


async def record_failure(
    conn: asyncpg.Connection, subjects: list[str], now: datetime, forget_before: datetime
) -> None:
    await conn.executemany(
        "INSERT INTO console_login_failures (subject, failed_at) VALUES ($1, $2)",
        [(s, now) for s in subjects],
    )
    await conn.execute("DELETE FROM console_login_failures WHERE failed_at < $1", forget_before)


async def clear_failures(conn: asyncpg.Connection, subject: str) -> None:
    await conn.execute("DELETE FROM console_login_failures WHERE subject = $1", subject)


async def audit(
    conn: asyncpg.Connection, merchant_id: str | None, user_id: int | None, action: str,
    now: datetime, detail: dict[str, Any] | None = None,
) -> None:  # fmt: skip
    """One audit entry; `detail` never holds a secret, a password or a shopper's data."""
    await conn.execute(
        "INSERT INTO console_audit (merchant_id, user_id, action, detail, at) "
        "VALUES ($1, $2, $3, $4::jsonb, $5)",
        merchant_id, user_id, action, json.dumps(detail or {}), now,
    )  # fmt: skip


async def audit_log(
    conn: asyncpg.Connection, merchant_id: str, limit: int = 50
) -> list[dict[str, Any]]:
    rows = await conn.fetch(
        "SELECT a.action, a.detail, a.at, u.email FROM console_audit a "
        "LEFT JOIN console_users u ON u.user_id = a.user_id "
        "WHERE a.merchant_id = $1 ORDER BY a.at DESC, a.audit_id DESC LIMIT $2",
        merchant_id, limit,
    )  # fmt: skip
    return [
        {
            "action": r["action"],
            "detail": json.loads(r["detail"]),
            "at": r["at"],
            "email": r["email"],
        }
        for r in rows
    ]
