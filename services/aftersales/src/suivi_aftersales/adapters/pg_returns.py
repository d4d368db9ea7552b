"""PostgreSQL statements of returns and policies, over a connection the caller holds (and whose
transaction it chose); rows ↔ domain objects. Every value is a parameter, never interpolated."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import asyncpg

from suivi_aftersales.domain.events import parcel_key
from suivi_aftersales.domain.policy import Policy
from suivi_aftersales.domain.returns import RELEASED, Item, Return
from suivi_schemas.common import Location
from suivi_schemas.returns import ReturnMethod, ReturnState

_COLUMNS = """merchant_id, return_id, order_number, state, method, locale, items, requested_at,
approved_at, dropped_off_at, received_at, resolved_at, parcel_carrier, parcel_number,
deposit_at, deposit_location, rejection_reason, amount, currency, reminded_at, comment"""


def return_of(row: asyncpg.Record) -> Return:
    location = row["deposit_location"]
    amount: Decimal | None = row["amount"]
    return Return(
        merchant_id=row["merchant_id"], return_id=row["return_id"],
        order_number=row["order_number"], state=ReturnState(row["state"]),
        method=ReturnMethod(row["method"]), locale=row["locale"],
        items=tuple(Item(**i) for i in json.loads(row["items"])),
        requested_at=row["requested_at"], approved_at=row["approved_at"],
        dropped_off_at=row["dropped_off_at"], received_at=row["received_at"],
        resolved_at=row["resolved_at"], parcel_carrier=row["parcel_carrier"],
        parcel_number=row["parcel_number"], deposit_at=row["deposit_at"],
        deposit_location=Location.model_validate_json(location) if location else None,
        rejection_reason=row["rejection_reason"],
        amount=None if amount is None else f"{amount:.2f}", currency=row["currency"],
        reminded_at=row["reminded_at"],
    )  # fmt: skip


def _items_json(ret: Return) -> str:
    return json.dumps(
        [
            {
                "line_item_id": i.line_item_id,
                "sku": i.sku,
                "title": i.title,
                "quantity": i.quantity,
                "reason": i.reason,
            }
            for i in ret.items
        ]
    )


async def load(
    conn: asyncpg.Connection, merchant_id: str, return_id: str, *, lock: bool = False
) -> Return | None:
    sql = f"SELECT {_COLUMNS} FROM aftersales_returns WHERE merchant_id = $1 AND return_id = $2"  # noqa: S608
    row = await conn.fetchrow(sql + (" FOR UPDATE" if lock else ""), merchant_id, return_id)
    return None if row is None else return_of(row)


async def comment_of(conn: asyncpg.Connection, merchant_id: str, return_id: str) -> str | None:
    sql = "SELECT comment FROM aftersales_returns WHERE merchant_id = $1 AND return_id = $2"
    value: str | None = await conn.fetchval(sql, merchant_id, return_id)
    return value


async def of_parcel(conn: asyncpg.Connection, key: str) -> list[Return]:
    """The returns travelling in this parcel, locked (one lock order: by primary key)."""
    sql = (
        f"SELECT {_COLUMNS} FROM aftersales_returns WHERE parcel_key = $1"  # noqa: S608
        " ORDER BY merchant_id, return_id FOR UPDATE"
    )
    return [return_of(r) for r in await conn.fetch(sql, key)]


async def of_order(conn: asyncpg.Connection, merchant_id: str, order_number: str) -> list[Return]:
    sql = (
        f"SELECT {_COLUMNS} FROM aftersales_returns"  # noqa: S608
        " WHERE merchant_id = $1 AND order_number = $2 ORDER BY requested_at, return_id"
    )
    return [return_of(r) for r in await conn.fetch(sql, merchant_id, order_number)]


async def by_request_key(
    conn: asyncpg.Connection, merchant_id: str, order_number: str, request_key: str
) -> Return | None:
    sql = (
        f"SELECT {_COLUMNS} FROM aftersales_returns"  # noqa: S608
        " WHERE merchant_id = $1 AND order_number = $2 AND request_key = $3"
    )
    row = await conn.fetchrow(sql, merchant_id, order_number, request_key)
    return None if row is None else return_of(row)


async def returned_quantities(
    conn: asyncpg.Connection, merchant_id: str, order_number: str
) -> dict[str, int]:
    """Units of each line already in a return that still counts (not rejected or expired)."""
    totals: dict[str, int] = {}
    for ret in await of_order(conn, merchant_id, order_number):
        if ret.state in RELEASED:
            continue
        for item in ret.items:
            totals[item.line_item_id] = totals.get(item.line_item_id, 0) + item.quantity
    return totals


_INSERT = """
INSERT INTO aftersales_returns (merchant_id, return_id, order_number, request_key, state, method,
    locale, comment, items, requested_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10, $10)
ON CONFLICT DO NOTHING
"""

_UPDATE = """
UPDATE aftersales_returns SET state = $3, approved_at = $4, dropped_off_at = $5,
    received_at = $6, resolved_at = $7, parcel_carrier = $8, parcel_number = $9,
    parcel_key = $10, deposit_at = $11, deposit_location = $12::jsonb, rejection_reason = $13,
    amount = $14::numeric, currency = $15, reminded_at = $16, due_at = $17, updated_at = $18
WHERE merchant_id = $1 AND return_id = $2
"""


async def insert(
    conn: asyncpg.Connection, ret: Return, request_key: str, comment: str | None
) -> bool:
    """False when this request key (or RMA) was already taken: the return exists."""
    status: str = await conn.execute(
        _INSERT, ret.merchant_id, ret.return_id, ret.order_number, request_key, ret.state.value,
        ret.method.value, ret.locale, comment, _items_json(ret), ret.requested_at,
    )  # fmt: skip
    return status.endswith(" 1")


async def save(
    conn: asyncpg.Connection, ret: Return, due_at: datetime | None, now: datetime
) -> None:
    location = ret.deposit_location.model_dump_json() if ret.deposit_location else None
    await conn.execute(
        _UPDATE, ret.merchant_id, ret.return_id, ret.state.value, ret.approved_at,
        ret.dropped_off_at, ret.received_at, ret.resolved_at, ret.parcel_carrier,
        ret.parcel_number, parcel_key(ret), ret.deposit_at, location, ret.rejection_reason,
        ret.amount, ret.currency, ret.reminded_at, due_at, now,
    )  # fmt: skip


@dataclass(frozen=True, slots=True)
class Filters:
    state: ReturnState | None = None
    order_number: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    after: str | None = None  # the last return_id of the previous page
    limit: int = 50


async def search(conn: asyncpg.Connection, merchant_id: str, f: Filters) -> list[Return]:
    """One merchant's returns, newest RMA last, filtered; keyset-paginated by return id."""
    sql = f"""
SELECT {_COLUMNS} FROM aftersales_returns
WHERE merchant_id = $1 AND ($2::text IS NULL OR state = $2)
  AND ($3::text IS NULL OR order_number = $3)
  AND ($4::timestamptz IS NULL OR requested_at >= $4)
  AND ($5::timestamptz IS NULL OR requested_at < $5)
  AND ($6::text IS NULL OR return_id > $6)
ORDER BY return_id LIMIT $7"""  # noqa: S608
    rows = await conn.fetch(
        sql, merchant_id, f.state.value if f.state else None, f.order_number, f.since, f.until,
        f.after, f.limit,
    )  # fmt: skip
    return [return_of(r) for r in rows]


async def load_policy(conn: asyncpg.Connection, merchant_id: str) -> Policy | None:
    sql = "SELECT policy FROM aftersales_policies WHERE merchant_id = $1"
    raw: str | None = await conn.fetchval(sql, merchant_id)
    return None if raw is None else Policy.model_validate_json(raw)


async def save_policy(
    conn: asyncpg.Connection, merchant_id: str, policy: Policy, now: datetime
) -> None:
    await conn.execute(
        """INSERT INTO aftersales_policies (merchant_id, policy, updated_at)
VALUES ($1, $2::jsonb, $3)
ON CONFLICT (merchant_id) DO UPDATE SET policy = excluded.policy,
    updated_at = excluded.updated_at""",
        merchant_id, policy.model_dump_json(), now,
    )  # fmt: skip


async def due(conn: asyncpg.Connection, now: datetime, limit: int) -> list[Return]:
    """Due returns, claimed for this transaction: other schedulers skip them."""
    sql = f"""
SELECT {_COLUMNS} FROM aftersales_returns WHERE due_at IS NOT NULL AND due_at <= $1
ORDER BY due_at LIMIT $2 FOR UPDATE SKIP LOCKED"""  # noqa: S608
    return [return_of(r) for r in await conn.fetch(sql, now, limit)]
