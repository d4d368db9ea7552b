"""Leg links → `leg_links` and `parcel_legs`, inside the projector's transaction (issue 17).

Links are a set (keyed by their deterministic id): a link applied twice changes nothing. For
every fresh link the whole parcel it joins is loaded (all links reachable from its legs, both
ways) and regrouped with the pure rules of `domain/legs.py`, so a parcel's grouping depends on
its links only, not on which arrived first. Parcels are regrouped under one transaction-level
advisory lock (links are rare; two projectors then never regroup the same parcel at once).
The legs' newest generations are marked due for the monitor (a leg handed over is no longer
judged by itself), and the status pages of orders following any of them are told.
"""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg

from suivi_projections.db.notify import ORDER_CHANGED_CHANNEL
from suivi_projections.domain.legs import Leg, parcels
from suivi_projections.monitor import schedule
from suivi_projections.write.orders import refresh_orders
from suivi_schemas.legs import LegLinkEvent

LOCK = "SELECT pg_advisory_xact_lock(hashtext('suivi-projections-parcel-legs'))"

INSERT_LINKS = """
INSERT INTO leg_links (event_id, from_carrier, from_tracking_number, to_carrier,
    to_tracking_number, source, provider, linked_at)
SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
    $7::text[], $8::timestamptz[])
ORDER BY 1
ON CONFLICT (event_id) DO NOTHING
RETURNING from_carrier, from_tracking_number, to_carrier, to_tracking_number
"""

# Every link of the parcels of the given legs (reachable through links, either way).
PARCEL_LINKS = """
WITH RECURSIVE reach (carrier, tracking_number) AS (
    SELECT * FROM unnest($1::text[], $2::text[])
    UNION
    SELECT n.carrier, n.tracking_number
    FROM reach r
    JOIN leg_links l ON (l.from_carrier, l.from_tracking_number) = (r.carrier, r.tracking_number)
        OR (l.to_carrier, l.to_tracking_number) = (r.carrier, r.tracking_number)
    CROSS JOIN LATERAL (VALUES (l.from_carrier, l.from_tracking_number),
                               (l.to_carrier, l.to_tracking_number)) AS n (carrier, tracking_number)
)
SELECT DISTINCT l.from_carrier, l.from_tracking_number, l.to_carrier, l.to_tracking_number
FROM leg_links l JOIN reach r
    ON (l.from_carrier, l.from_tracking_number) = (r.carrier, r.tracking_number)
"""

UPSERT_PARCEL_LEGS = """
INSERT INTO parcel_legs AS p (carrier, tracking_number, parcel_carrier, parcel_tracking_number,
    position)
SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::integer[])
ORDER BY 1, 2
ON CONFLICT (carrier, tracking_number) DO UPDATE SET parcel_carrier = excluded.parcel_carrier,
    parcel_tracking_number = excluded.parcel_tracking_number, position = excluded.position
WHERE (p.parcel_carrier, p.parcel_tracking_number, p.position)
    IS DISTINCT FROM (excluded.parcel_carrier, excluded.parcel_tracking_number, excluded.position)
"""

NEWEST_GENERATIONS = """
SELECT s.carrier, s.tracking_number, max(s.generation)
FROM shipments s JOIN unnest($1::text[], $2::text[]) AS k (carrier, tracking_number)
    USING (carrier, tracking_number)
GROUP BY 1, 2 ORDER BY 1, 2
"""

LINKED_ORDERS = """
SELECT DISTINCT l.order_id FROM order_shipments l
JOIN unnest($1::text[], $2::text[]) AS k (carrier, tracking_number) USING (carrier, tracking_number)
"""


def _columns(legs: Sequence[Leg]) -> tuple[list[str], list[str]]:
    return [leg[0] for leg in legs], [leg[1] for leg in legs]


async def apply_links(
    conn: asyncpg.Connection, links: Sequence[LegLinkEvent], channel: str = ORDER_CHANGED_CHANNEL
) -> int:
    """Stores the links and regroups their parcels; returns how many links were new."""
    if not links:
        return 0
    unique = sorted({link.event_id: link for link in links}.values(), key=lambda k: k.event_id)
    await conn.execute(LOCK)
    fresh = await conn.fetch(
        INSERT_LINKS,
        [k.event_id for k in unique],
        [k.from_carrier for k in unique],
        [k.from_key.split(":", 1)[1] for k in unique],
        [k.to_carrier for k in unique],
        [k.to_key.split(":", 1)[1] for k in unique],
        [k.source.value for k in unique],
        [k.provider for k in unique],
        [k.linked_at for k in unique],
    )
    if not fresh:
        return 0
    touched = sorted({(r[0], r[1]) for r in fresh} | {(r[2], r[3]) for r in fresh})
    rows = await conn.fetch(PARCEL_LINKS, *_columns(touched))
    placed = parcels(((r[0], r[1]), (r[2], r[3])) for r in rows)
    legs = sorted(placed)
    await conn.execute(
        UPSERT_PARCEL_LEGS,
        *_columns(legs),
        [placed[leg].parcel[0] for leg in legs],
        [placed[leg].parcel[1] for leg in legs],
        [placed[leg].position for leg in legs],
    )
    due = [(r[0], r[1], r[2]) for r in await conn.fetch(NEWEST_GENERATIONS, *_columns(legs))]
    await schedule.mark_due(conn, due)
    orders = {r[0] for r in await conn.fetch(LINKED_ORDERS, *_columns(legs))}
    if orders:
        await refresh_orders(conn, orders, channel)
    return len(fresh)
