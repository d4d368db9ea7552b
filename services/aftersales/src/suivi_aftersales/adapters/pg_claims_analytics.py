"""Claim analytics in SQL over after-sales' tables, per merchant and date range [since, until)
of opening: claims per carrier and reason and per lane (first → last country of the parcel's
timeline), times to the merchant's first response and to resolution, and the share of the
merchant's stalled or late parcels (monitor episodes opened in the range) that ended in a claim."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import asyncpg

_OPENED = "merchant_id = $1 AND opened_at >= $2 AND opened_at < $3"
_BY_CARRIER_REASON = f"""
SELECT carrier, reason, count(*) AS claims FROM aftersales_claims WHERE {_OPENED}
GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2"""  # noqa: S608
_BY_LANE = f"""
WITH c AS (SELECT parcel_key FROM aftersales_claims WHERE {_OPENED})
SELECT coalesce(origin, '?') || ' → ' || coalesce(destination, '?') AS lane, count(*) AS claims
FROM (
    SELECT
        (SELECT e.location->>'country' FROM aftersales_parcel_events e
         WHERE e.parcel_key = c.parcel_key AND e.location->>'country' IS NOT NULL
         ORDER BY e.occurred_at, e.event_id LIMIT 1) AS origin,
        (SELECT e.location->>'country' FROM aftersales_parcel_events e
         WHERE e.parcel_key = c.parcel_key AND e.location->>'country' IS NOT NULL
         ORDER BY e.occurred_at DESC, e.event_id DESC LIMIT 1) AS destination
    FROM c
) lanes GROUP BY 1 ORDER BY 2 DESC, 1"""  # noqa: S608
_DURATION = """
SELECT count(*) AS n, avg(h) AS mean,
    percentile_cont(0.5) WITHIN GROUP (ORDER BY h) AS p50,
    percentile_cont(0.9) WITHIN GROUP (ORDER BY h) AS p90
FROM (SELECT extract(epoch FROM ({end} - opened_at)) / 3600 AS h FROM aftersales_claims
      WHERE {opened} AND {end} IS NOT NULL) d"""
_FIRST_RESPONSE = _DURATION.format(end="first_response_at", opened=_OPENED)
_RESOLUTION = _DURATION.format(end="resolved_at", opened=_OPENED)
_STALLED = """
WITH mine AS (
    SELECT DISTINCT unnest(parcel_keys) AS parcel_key FROM aftersales_orders WHERE merchant_id = $1
), stalled AS (
    SELECT DISTINCT a.parcel_key FROM aftersales_parcel_alerts a JOIN mine USING (parcel_key)
    WHERE a.opened_at >= $2 AND a.opened_at < $3
)
SELECT count(*) AS stalled, count(*) FILTER (WHERE EXISTS (
    SELECT 1 FROM aftersales_claims c WHERE c.merchant_id = $1 AND c.parcel_key = stalled.parcel_key
)) AS claimed FROM stalled"""


def _hours(row: asyncpg.Record) -> dict[str, Any]:
    def rounded(value: Any) -> float | None:
        return None if value is None else round(float(value), 2)

    return {"count": row["n"], "mean": rounded(row["mean"]), "p50": rounded(row["p50"]),
            "p90": rounded(row["p90"])}  # fmt: skip


async def report(
    conn: asyncpg.Connection, merchant_id: str, since: datetime, until: datetime
) -> dict[str, Any]:
    args = (merchant_id, since, until)
    stalled = await conn.fetchrow(_STALLED, *args)
    share = stalled["claimed"] / stalled["stalled"] if stalled["stalled"] else None
    return {
        "by_carrier_reason": [dict(r) for r in await conn.fetch(_BY_CARRIER_REASON, *args)],
        "by_lane": [dict(r) for r in await conn.fetch(_BY_LANE, *args)],
        "first_response_hours": _hours(await conn.fetchrow(_FIRST_RESPONSE, *args)),
        "resolution_hours": _hours(await conn.fetchrow(_RESOLUTION, *args)),
        "stalled_parcels": {
            "stalled": stalled["stalled"],
            "claimed": stalled["claimed"],
            "share": None if share is None else round(share, 4),
        },
    }
