"""Carrier estimates of a batch → `estimate_observations` (issue 21), inside the batch's
transaction. Every status event carrying an estimate is observed, duplicates included: a
checkpoint published again with another window (a normalizer restart) is a revision too; the
primary key (checkpoint, window, source) makes a replay change nothing."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import asyncpg

from suivi_projections.domain.shipments import key_of
from suivi_projections.monitor import schedule
from suivi_schemas import ShipmentStatusEvent

INSERT_OBSERVATIONS = """
INSERT INTO estimate_observations
    (carrier, tracking_number, checkpoint_id, earliest, latest, source, occurred_at,
     received_at, estimate)
SELECT * FROM unnest($1::text[], $2::text[], $3::uuid[], $4::date[], $5::date[], $6::text[],
    $7::timestamptz[], $8::timestamptz[], $9::jsonb[])
ON CONFLICT DO NOTHING
RETURNING carrier, tracking_number
"""
# A new window judges the shipment's newest generation again (late, trending late).
NEWEST_GENERATIONS = """
SELECT carrier, tracking_number, max(generation) FROM shipments
WHERE (carrier, tracking_number) IN (SELECT * FROM unnest($1::text[], $2::text[]))
GROUP BY carrier, tracking_number ORDER BY 1, 2
"""


def observation_columns(events: Sequence[ShipmentStatusEvent]) -> list[list[Any]]:
    """The unnest() columns of INSERT_OBSERVATIONS, one row per event with an estimate."""
    columns: list[list[Any]] = [[] for _ in range(9)]
    for e in events:
        eta = e.estimated_delivery
        if eta is None:
            continue
        carrier, number = key_of(e.carrier, e.tracking_number)
        row = (carrier, number, e.revision_of or e.event_id, eta.earliest, eta.latest,
               eta.source.value, e.occurred_at, e.received_at, eta.model_dump_json())  # fmt: skip
        for column, value in zip(columns, row, strict=True):
            column.append(value)
    return columns


async def observe(conn: asyncpg.Connection, events: Sequence[ShipmentStatusEvent]) -> int:
    """Records the batch's estimates (the caller holds the keys' locks); returns how many
    windows were new, and marks their shipments due for the monitor."""
    columns = observation_columns(events)
    if not columns[0]:
        return 0
    rows = await conn.fetch(INSERT_OBSERVATIONS, *columns)
    keys = sorted({(r[0], r[1]) for r in rows})
    if keys:
        found = await conn.fetch(NEWEST_GENERATIONS, [k[0] for k in keys], [k[1] for k in keys])
        await schedule.mark_due(conn, [(r[0], r[1], r[2]) for r in found])
    return len(rows)
