"""Return analytics in SQL over after-sales' own tables, per merchant and date range
[since, until): return rate by product, returns by reason, return transit time (carrier's first
scan → delivered to the shop) and receipt-to-refund time."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import asyncpg

_BY_PRODUCT = """
WITH placed AS (
    SELECT order_number, lines FROM aftersales_orders
    WHERE merchant_id = $1 AND placed_at >= $2 AND placed_at < $3
), ordered AS (
    SELECT coalesce(l->>'sku', l->>'title') AS product, max(l->>'title') AS title,
        sum((l->>'quantity')::int) AS units
    FROM placed, jsonb_array_elements(placed.lines) AS l GROUP BY 1
), returned AS (
    SELECT coalesce(i->>'sku', i->>'title') AS product, sum((i->>'quantity')::int) AS units
    FROM aftersales_returns r JOIN placed USING (order_number), jsonb_array_elements(r.items) AS i
    WHERE r.merchant_id = $1 AND r.state NOT IN ('rejected', 'expired') GROUP BY 1
)
SELECT ordered.product, ordered.title, ordered.units AS ordered,
    coalesce(returned.units, 0) AS returned
FROM ordered LEFT JOIN returned USING (product)
ORDER BY coalesce(returned.units, 0)::float / ordered.units DESC, ordered.product
"""

_BY_REASON = """
SELECT i->>'reason' AS reason, count(DISTINCT r.return_id) AS returns,
    sum((i->>'quantity')::int) AS units
FROM aftersales_returns r, jsonb_array_elements(r.items) AS i
WHERE r.merchant_id = $1 AND r.requested_at >= $2 AND r.requested_at < $3
GROUP BY 1 ORDER BY 3 DESC, 1
"""

_DURATIONS = """
SELECT count(*) AS n, avg(hours) AS mean,
    percentile_cont(0.5) WITHIN GROUP (ORDER BY hours) AS p50,
    percentile_cont(0.9) WITHIN GROUP (ORDER BY hours) AS p90
FROM (SELECT extract(epoch FROM ({end} - {start})) / 3600 AS hours
      FROM aftersales_returns
      WHERE merchant_id = $1 AND {end} >= $2 AND {end} < $3 AND {start} IS NOT NULL {extra}) d
"""
_TRANSIT = _DURATIONS.format(start="deposit_at", end="received_at", extra="")
_REFUND = _DURATIONS.format(
    start="received_at", end="resolved_at", extra="AND state IN ('refunded', 'exchanged')"
)


def _durations(row: asyncpg.Record) -> dict[str, Any]:
    def hours(value: Any) -> float | None:
        return None if value is None else round(float(value), 2)

    return {"count": row["n"], "mean": hours(row["mean"]), "p50": hours(row["p50"]),
            "p90": hours(row["p90"])}  # fmt: skip


async def report(
    conn: asyncpg.Connection, merchant_id: str, since: datetime, until: datetime
) -> dict[str, Any]:
    products = await conn.fetch(_BY_PRODUCT, merchant_id, since, until)
    reasons = await conn.fetch(_BY_REASON, merchant_id, since, until)
    transit = await conn.fetchrow(_TRANSIT, merchant_id, since, until)
    refund = await conn.fetchrow(_REFUND, merchant_id, since, until)
    return {
        "products": [
            {
                "product": r["product"],
                "title": r["title"],
                "ordered": r["ordered"],
                "returned": r["returned"],
                "rate": round(r["returned"] / r["ordered"], 4),
            }
            for r in products
        ],
        "reasons": [dict(r) for r in reasons],
        "transit_hours": _durations(transit),
        "receipt_to_refund_hours": _durations(refund),
    }
