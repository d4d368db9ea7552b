"""Re-prediction at every scan (issue 21): for the generations the monitor judges (each
marked due by a new event or a new carrier estimate), the delivery predicted from what is
known at the newest scan, kept per scan in `eta_predictions` (the first is the original), the
current one in `shipment_insights` with its confidence, and whether it is trending late: its
likeliest day after the carrier's current date, while that date has not passed yet (the late
watch takes over then); and once per parcel, a `revised` alert when the carrier's date moved
later than its first one (the shopper is told if the merchant opted in). Runs in the
monitor's transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

import asyncpg

from suivi_projections.domain.eta_model import EtaModel, Prediction
from suivi_projections.domain.watch import Alert, alert_event_id, episode_id
from suivi_projections.monitor import eta_store
from suivi_schemas import AlertKind

Key = tuple[str, str, int]

RECORD = """
INSERT INTO eta_predictions (carrier, tracking_number, generation, basis_event_id, basis_at,
    status, earliest, likeliest, latest, confidence, evidence, level, predicted_at)
SELECT * FROM unnest($1::text[], $2::text[], $3::integer[], $4::uuid[], $5::timestamptz[],
    $6::text[], $7::date[], $8::date[], $9::date[], $10::real[], $11::real[], $12::text[],
    $13::timestamptz[])
ON CONFLICT DO NOTHING
"""
SAVE = """
UPDATE shipment_insights i SET
    predicted_earliest = coalesce(u.earliest, i.predicted_earliest),
    predicted_latest = coalesce(u.latest, i.predicted_latest),
    predicted_samples = coalesce(u.samples, i.predicted_samples),
    predicted_likeliest = coalesce(u.likeliest, i.predicted_likeliest),
    predicted_confidence = coalesce(u.confidence, i.predicted_confidence),
    original_predicted_latest = coalesce(i.original_predicted_latest, u.latest),
    trending_late = u.trending
FROM unnest($1::text[], $2::text[], $3::integer[], $4::date[], $5::date[], $6::integer[],
    $7::date[], $8::real[], $9::boolean[])
    AS u (carrier, tracking_number, generation, earliest, latest, samples, likeliest,
    confidence, trending)
WHERE i.carrier = u.carrier AND i.tracking_number = u.tracking_number
    AND i.generation = u.generation
"""


@dataclass(frozen=True, slots=True)
class Current:
    """One generation's prediction now (None once attempted, or with nothing to go by)."""

    key: Key
    prediction: Prediction | None
    promised: date | None  # the carrier's current date
    trending_late: bool
    revised_from: date | None = None  # the carrier's first date, when the current one is later


def trending_late(p: Prediction | None, promised: date | None, today: date) -> bool:
    """The prediction passed the promised day, and that day is still ahead or today."""
    return p is not None and promised is not None and p.likeliest > promised >= today


async def repredict(
    conn: asyncpg.Connection, model: EtaModel, keys: Sequence[Key], now: datetime
) -> list[Current]:
    found = await eta_store.journeys_of(conn, keys)
    currents: list[Current] = []
    records: list[tuple[Any, ...]] = []
    for key in sorted(found):
        journey, last_event_id = found[key]
        situations = list(journey.situations())
        if journey.attempted_at is not None or not situations:
            currents.append(Current(key, None, None, False))
            continue
        s = situations[-1]
        p = model.predict(s)
        promised = journey.carrier_estimate_at(now)
        first = journey.carrier_estimates[0][1] if journey.carrier_estimates else None
        later = first if promised is not None and first is not None and promised > first else None
        currents.append(Current(key, p, promised, trending_late(p, promised, now.date()), later))
        if p is not None:
            records.append((*key, last_event_id, s.at, s.stage, p.earliest, p.likeliest,
                            p.latest, p.confidence, p.evidence, p.level, now))  # fmt: skip
    if records:
        await conn.execute(RECORD, *[list(c) for c in zip(*records, strict=True)])
    if currents:
        rows = [(*c.key, *(_window(c.prediction)), c.trending_late) for c in currents]
        await conn.execute(SAVE, *[list(col) for col in zip(*rows, strict=True)])
    return currents


def revised_alert(c: Current) -> Alert | None:
    """The parcel's one `revised` alert: the carrier's date moved later than its first one
    (the worker builds its contract with the shipment's facts, as for the other kinds)."""
    if c.revised_from is None or c.promised is None:
        return None
    episode = episode_id(AlertKind.REVISED, c.key, "carrier date")
    return Alert(
        alert_event_id(episode, AlertKind.REVISED), episode, AlertKind.REVISED,
        AlertKind.REVISED, datetime.combine(c.promised, time(12), UTC),  # its day, most zones
        f"the carrier moved its date from {c.revised_from} to {c.promised}",
    )  # fmt: skip


def _window(p: Prediction | None) -> tuple[Any, ...]:
    if p is None:
        return (None, None, None, None, None)
    return (p.earliest, p.latest, round(p.evidence), p.likeliest, p.confidence)
