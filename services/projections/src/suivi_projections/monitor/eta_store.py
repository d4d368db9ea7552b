"""Journeys and the delivery-prediction model in PostgreSQL (issue 21): each generation's
scans from `shipment_events`, the carrier's estimates from `estimate_observations`, the lane
and service from `shipment_insights`; the learned model in `eta_models` (0022_eta_model.sql)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

import asyncpg

from suivi_projections.db.rows import optional
from suivi_projections.domain.eta_journey import ATTEMPTS, Journey, Scan
from suivi_projections.domain.eta_model import EtaModel
from suivi_schemas import Reason, ShipmentStatus

MODEL = "default"
# One row per generation: its scans in order and the carrier's estimates, each dated when it
# became known (with its checkpoint, or when a revision was received).
_JOURNEYS = """
SELECT s.carrier, s.tracking_number, s.generation, i.service, i.origin_country,
    i.destination_country, s.last_event_id,
    array_agg(e.occurred_at ORDER BY e.occurred_at, e.event_id) AS at,
    array_agg(e.status ORDER BY e.occurred_at, e.event_id) AS status,
    array_agg(e.location->>'country' ORDER BY e.occurred_at, e.event_id) AS country,
    array_agg(e.reason ORDER BY e.occurred_at, e.event_id) AS reason,
    (SELECT array_agg(ARRAY[extract(epoch FROM g.given)::text, g.latest::text]
                      ORDER BY g.given, g.recorded_at)
     FROM (SELECT CASE WHEN EXISTS (SELECT 1 FROM shipment_events c
                WHERE c.event_id = o.checkpoint_id AND c.eta_earliest = o.earliest
                  AND c.eta_latest = o.latest) THEN o.occurred_at
                ELSE greatest(o.occurred_at, o.received_at) END AS given,
            o.latest, o.recorded_at
         FROM estimate_observations o
         WHERE o.carrier = s.carrier AND o.tracking_number = s.tracking_number
           AND o.source IN ('carrier', 'provider')
           AND o.occurred_at BETWEEN s.first_event_at AND s.last_event_at) g) AS estimates
FROM shipments s
JOIN shipment_insights i USING (carrier, tracking_number, generation)
JOIN shipment_events e ON e.carrier = s.carrier AND e.tracking_number = s.tracking_number
    AND (e.occurred_at, e.event_id) >= (s.first_event_at, s.first_event_id)
    AND (e.occurred_at, e.event_id) <= (s.last_event_at, s.last_event_id)
"""
_GROUP = "GROUP BY s.carrier, s.tracking_number, s.generation, i.service, i.origin_country, " \
    "i.destination_country, s.last_event_id, s.first_event_at, s.last_event_at"  # fmt: skip
ATTEMPTED_SINCE = (
    _JOURNEYS  # noqa: S608 - constant fragments, every value bound
    + "WHERE s.last_event_at >= $1 AND EXISTS (SELECT 1 FROM shipment_events a "
    + "WHERE a.carrier = s.carrier AND a.tracking_number = s.tracking_number "
    + "AND a.status = ANY($2::text[]) AND a.occurred_at BETWEEN s.first_event_at "
    + "AND s.last_event_at AND a.occurred_at >= $1)\n"
    + _GROUP
)
OF_KEYS = (
    _JOURNEYS
    + "JOIN unnest($1::text[], $2::text[], $3::integer[]) AS k (carrier, tracking_number, "
    + "generation) ON k.carrier = s.carrier AND k.tracking_number = s.tracking_number "
    + "AND k.generation = s.generation\n"
    + _GROUP
)
SAVE_MODEL = """
INSERT INTO eta_models (name, model, journeys, learned_at) VALUES ($1, $2::jsonb, $3, $4)
ON CONFLICT (name) DO UPDATE SET model = EXCLUDED.model, journeys = EXCLUDED.journeys,
    learned_at = EXCLUDED.learned_at
"""
LOAD_MODEL = "SELECT model::text FROM eta_models WHERE name = $1"
_ATTEMPTS = [s.value for s in ATTEMPTS]


def journey_of(r: asyncpg.Record) -> Journey:
    scans = tuple(
        Scan(at, ShipmentStatus(status), country, optional(Reason, reason))
        for at, status, country, reason in zip(r["at"], r["status"], r["country"], r["reason"],
                                               strict=True)
    )  # fmt: skip
    attempted = next((s.at for s in scans if s.status in ATTEMPTS), None)
    estimates = tuple(
        (datetime.fromtimestamp(float(given), scans[0].at.tzinfo), _date(day))
        for given, day in (r["estimates"] or ())
    )
    return Journey(r["carrier"], r["service"], r["origin_country"], r["destination_country"],
                   scans, attempted, estimates)  # fmt: skip


def _date(text: str) -> date:
    return date.fromisoformat(text)


async def load_journeys(conn: asyncpg.Connection, since: datetime) -> list[Journey]:
    """Generations with a first delivery attempt since `since`, in no particular order."""
    return [journey_of(r) for r in await conn.fetch(ATTEMPTED_SINCE, since, _ATTEMPTS)]


async def journeys_of(
    conn: asyncpg.Connection, keys: Sequence[tuple[str, str, int]]
) -> dict[tuple[str, str, int], tuple[Journey, object]]:
    """These generations' journeys, with the id of each one's last event."""
    if not keys:
        return {}
    columns = [list(c) for c in zip(*keys, strict=True)]
    rows = await conn.fetch(OF_KEYS, *columns)
    return {(r[0], r[1], r[2]): (journey_of(r), r["last_event_id"]) for r in rows}


def learn_model(journeys: Sequence[Journey]) -> EtaModel:
    """The model from delivered journeys, learned in the order their attempts came."""
    model = EtaModel()
    never = datetime.max.replace(tzinfo=UTC)
    for journey in sorted(journeys, key=lambda j: j.attempted_at or never):
        model.learn_journey(journey)
    return model


async def learn(conn: asyncpg.Connection, now: datetime, window_days: int = 365) -> int:
    """Relearns the model from the last window_days of first attempts; returns journeys used."""
    journeys = await load_journeys(conn, now - timedelta(days=window_days))
    model = learn_model(journeys)
    await conn.execute(SAVE_MODEL, MODEL, json.dumps(model.to_json()), len(journeys), now)
    return len(journeys)


async def load_model(conn: asyncpg.Connection) -> EtaModel:
    """The stored model (an empty one, which predicts nothing, before the first learning)."""
    text = await conn.fetchval(LOAD_MODEL, MODEL)
    return EtaModel.from_json(json.loads(text)) if text else EtaModel()
