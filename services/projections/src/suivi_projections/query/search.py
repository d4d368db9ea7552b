"""The merchant's order search (the console's): by the shopper's email, matched normalised as
the lookup matches it (trimmed, lower case), and/or by a parcel's tracking number; newest
placed first with the orders page's keyset cursor, so a page never shifts or repeats."""

from __future__ import annotations

from typing import Any

import asyncpg

from suivi_projections.domain.orders import OrderStatus
from suivi_projections.query.readmodel import _END_OF_TIME, decode_cursor, order_page
from suivi_projections.query.sql import _PAGE, _PAGE_ORDER, _STATUS
from suivi_projections.query.views import OrderPage
from suivi_schemas.ids import normalize_tracking_number

# (S608: only constant fragments are joined; every value stays a bound parameter.)
SEARCH = (
    _PAGE  # noqa: S608
    + """ AND ($5::text IS NULL OR lower(btrim(o.customer_email)) = $5)
 AND ($6::text IS NULL OR EXISTS (SELECT 1 FROM order_shipments l
      WHERE l.order_id = o.order_id AND l.tracking_number = $6))
 AND ($7::text IS NULL OR ("""
    + _STATUS
    + ") = $7)"
    + _PAGE_ORDER
)


def normalized_email(email: str) -> str:
    return email.strip().lower()


async def search_orders(
    pool: asyncpg.Pool, merchant_id: str, *, email: str | None, tracking_number: str | None,
    status: OrderStatus | None, cursor: str | None, limit: int,
) -> OrderPage:  # fmt: skip
    """ValueError for a cursor not recognised."""
    placed_at, order_number = decode_cursor(cursor) if cursor else (_END_OF_TIME, "")
    args: list[Any] = [
        merchant_id, placed_at, order_number, limit + 1,
        normalized_email(email) if email else None,
        normalize_tracking_number(tracking_number) if tracking_number else None,
        status.value if status else None,
    ]  # fmt: skip
    return order_page(await pool.fetch(SEARCH, *args), limit)
