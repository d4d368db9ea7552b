"""PostgreSQL statements of claims: the claim, its thread and photos, and a parcel's timeline;
over a connection (and transaction) the caller holds; every value a parameter."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import asyncpg

from suivi_aftersales.domain.claims import Checkpoint, Claim
from suivi_schemas.alerts import AlertKind, ShipmentAlert
from suivi_schemas.claims import ClaimOutcome, ClaimReason, ClaimState
from suivi_schemas.common import Location
from suivi_schemas.status import ShipmentStatus

_COLUMNS = """merchant_id, claim_id, order_number, carrier, tracking_number, reason, state, locale,
opened_at, messages, photos, first_response_at, resolved_at, closed_at, outcome, outcome_reason"""


def claim_of(row: asyncpg.Record) -> Claim:
    return Claim(
        row["merchant_id"], row["claim_id"], row["order_number"], row["carrier"],
        row["tracking_number"], ClaimReason(row["reason"]), ClaimState(row["state"]),
        row["locale"], row["opened_at"], row["messages"], row["photos"],
        row["first_response_at"], row["resolved_at"], row["closed_at"],
        ClaimOutcome(row["outcome"]) if row["outcome"] else None, row["outcome_reason"],
    )  # fmt: skip


async def timeline(conn: asyncpg.Connection, parcel_key: str) -> list[Checkpoint]:
    rows = await conn.fetch(
        "SELECT event_id, occurred_at, status, location, message FROM aftersales_parcel_events"
        " WHERE parcel_key = $1 ORDER BY occurred_at, event_id",
        parcel_key,
    )
    return [
        Checkpoint(str(r["event_id"]), r["occurred_at"], ShipmentStatus(r["status"]),
                   Location.model_validate_json(r["location"]) if r["location"] else None,
                   r["message"])
        for r in rows
    ]  # fmt: skip


async def save_alerts(conn: asyncpg.Connection, alerts: list[ShipmentAlert]) -> None:
    """Episodes opened (stalled, late) and recovered, merged in any order."""
    if not alerts:
        return
    await conn.executemany(
        """INSERT INTO aftersales_parcel_alerts AS a VALUES ($1, $2, $3, $4)
ON CONFLICT (episode_id) DO UPDATE SET opened_at = coalesce(a.opened_at, excluded.opened_at),
    recovered_at = coalesce(a.recovered_at, excluded.recovered_at)""",
        [
            (
                a.episode_id,
                a.key,
                None if a.kind is AlertKind.RECOVERED else a.detected_at,
                a.detected_at if a.kind is AlertKind.RECOVERED else None,
            )
            for a in alerts
        ],
    )


async def alerted(conn: asyncpg.Connection, parcel_key: str) -> bool:
    """An episode is open: the monitor says the parcel is stalled or late."""
    found: bool = await conn.fetchval(
        "SELECT EXISTS (SELECT 1 FROM aftersales_parcel_alerts WHERE parcel_key = $1"
        " AND opened_at IS NOT NULL AND recovered_at IS NULL)",
        parcel_key,
    )
    return found


async def overdue(conn: asyncpg.Connection, opened_before: datetime) -> int:
    """Open claims without a merchant answer, opened before `opened_before`."""
    count: int = await conn.fetchval(
        "SELECT count(*) FROM aftersales_claims WHERE state = 'waiting_merchant'"
        " AND first_response_at IS NULL AND opened_at < $1",
        opened_before,
    )
    return count


async def load(
    conn: asyncpg.Connection, merchant_id: str, claim_id: str, *, lock: bool = False
) -> Claim | None:
    sql = f"SELECT {_COLUMNS} FROM aftersales_claims WHERE merchant_id = $1 AND claim_id = $2"  # noqa: S608
    row = await conn.fetchrow(sql + (" FOR UPDATE" if lock else ""), merchant_id, claim_id)
    return None if row is None else claim_of(row)


async def by_request_key(
    conn: asyncpg.Connection, merchant_id: str, order_number: str, key: str
) -> Claim | None:
    sql = (f"SELECT {_COLUMNS} FROM aftersales_claims"  # noqa: S608
           " WHERE merchant_id = $1 AND order_number = $2 AND request_key = $3")  # fmt: skip
    row = await conn.fetchrow(sql, merchant_id, order_number, key)
    return None if row is None else claim_of(row)


async def open_claim(conn: asyncpg.Connection, claim: Claim, parcel_key: str, key: str) -> bool:
    """False when an open claim of this parcel and reason exists (or the claim id is taken)."""
    status: str = await conn.execute(
        """INSERT INTO aftersales_claims (merchant_id, claim_id, order_number, parcel_key, carrier,
    tracking_number, reason, state, locale, request_key, opened_at, photos, messages)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) ON CONFLICT DO NOTHING""",
        claim.merchant_id, claim.claim_id, claim.order_number, parcel_key, claim.carrier,
        claim.tracking_number, claim.reason.value, claim.state.value, claim.locale, key,
        claim.opened_at, claim.photos, claim.messages,
    )  # fmt: skip
    return status.endswith(" 1")


async def save(conn: asyncpg.Connection, claim: Claim) -> None:
    await conn.execute(
        """UPDATE aftersales_claims SET state = $3, messages = $4, first_response_at = $5,
    resolved_at = $6, closed_at = $7, outcome = $8, outcome_reason = $9
WHERE merchant_id = $1 AND claim_id = $2""",
        claim.merchant_id, claim.claim_id, claim.state.value, claim.messages,
        claim.first_response_at, claim.resolved_at, claim.closed_at,
        claim.outcome.value if claim.outcome else None, claim.outcome_reason,
    )  # fmt: skip


async def add_message(
    conn: asyncpg.Connection, claim: Claim, seq: int, author: str, body: str, at: datetime
) -> None:
    # No ON CONFLICT: a message number taken twice is a bug to see, never a message dropped.
    await conn.execute(
        "INSERT INTO aftersales_claim_messages VALUES ($1, $2, $3, $4, $5, $6)",
        claim.merchant_id, claim.claim_id, seq, author, body, at,
    )  # fmt: skip


async def messages(
    conn: asyncpg.Connection, merchant_id: str, claim_id: str
) -> list[dict[str, Any]]:
    rows = await conn.fetch(
        "SELECT seq, author, body, created_at FROM aftersales_claim_messages"
        " WHERE merchant_id = $1 AND claim_id = $2 ORDER BY seq",
        merchant_id, claim_id,
    )  # fmt: skip
    return [dict(r) for r in rows]


async def add_photo(
    conn: asyncpg.Connection, claim: Claim, n: int, media_type: str, data: bytes
) -> None:
    await conn.execute(
        "INSERT INTO aftersales_claim_photos VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
        claim.merchant_id, claim.claim_id, n, media_type, data,
    )  # fmt: skip


async def photo(
    conn: asyncpg.Connection, merchant_id: str, claim_id: str, n: int
) -> tuple[str, bytes] | None:
    row = await conn.fetchrow(
        "SELECT media_type, data FROM aftersales_claim_photos"
        " WHERE merchant_id = $1 AND claim_id = $2 AND n = $3",
        merchant_id, claim_id, n,
    )  # fmt: skip
    return None if row is None else (row["media_type"], bytes(row["data"]))


async def of_order(conn: asyncpg.Connection, merchant_id: str, order_number: str) -> list[Claim]:
    sql = f"""SELECT {_COLUMNS} FROM aftersales_claims
WHERE merchant_id = $1 AND order_number = $2 ORDER BY opened_at, claim_id"""  # noqa: S608
    return [claim_of(r) for r in await conn.fetch(sql, merchant_id, order_number)]


async def search(
    conn: asyncpg.Connection, merchant_id: str, state: ClaimState | None, after: str | None,
    limit: int,
) -> list[Claim]:  # fmt: skip
    sql = f"""SELECT {_COLUMNS} FROM aftersales_claims
WHERE merchant_id = $1 AND ($2::text IS NULL OR state = $2) AND ($3::text IS NULL OR claim_id > $3)
ORDER BY claim_id LIMIT $4"""  # noqa: S608
    rows = await conn.fetch(sql, merchant_id, state.value if state else None, after, limit)
    return [claim_of(r) for r in rows]
