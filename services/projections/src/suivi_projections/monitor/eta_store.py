"""Transit times in PostgreSQL: delivered history from `shipment_insights`, the learned
percentiles in `transit_times` (see migrations/0004_insights.sql)."""

from __future__ import annotations

from datetime import datetime, timedelta

import asyncpg

from suivi_projections.domain.eta import Sample, TransitModel, TransitRow

LOAD_SAMPLES = """
SELECT carrier, service, origin_country, destination_country, pickup_at, delivered_at
FROM shipment_insights
WHERE pickup_at IS NOT NULL AND delivered_at IS NOT NULL
  AND delivered_at >= $1 AND delivered_at > pickup_at
"""
CLEAR_TRANSIT_TIMES = "DELETE FROM transit_times"
INSERT_TRANSIT_TIME = """
INSERT INTO transit_times
    (carrier, service, lane, samples, p25_days, p50_days, p75_days, learned_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
"""
LOAD_TRANSIT_TIMES = """
SELECT carrier, service, lane, samples, p25_days, p50_days, p75_days FROM transit_times
"""


async def load_samples(conn: asyncpg.Connection, since: datetime) -> list[Sample]:
    """Shipments picked up and delivered, delivered since `since`."""
    return [
        Sample(
            r["carrier"],
            r["service"],
            r["origin_country"],
            r["destination_country"],
            r["pickup_at"],
            r["delivered_at"],
        )
        for r in await conn.fetch(LOAD_SAMPLES, since)
    ]


async def learn(
    conn: asyncpg.Connection, now: datetime, window_days: int = 365, min_samples: int = 20
) -> int:
    """Relearns `transit_times` from the last window_days of deliveries; returns rows written."""
    samples = await load_samples(conn, now - timedelta(days=window_days))
    rows = TransitModel.learn(samples, min_samples).rows()
    async with conn.transaction():
        await conn.execute(CLEAR_TRANSIT_TIMES)
        await conn.executemany(INSERT_TRANSIT_TIME, [(*row, now) for row in rows])
    return len(rows)


async def load_model(conn: asyncpg.Connection, min_samples: int = 20) -> TransitModel:
    rows = await conn.fetch(LOAD_TRANSIT_TIMES)
    return TransitModel.from_rows((TransitRow(*r) for r in rows), min_samples)
