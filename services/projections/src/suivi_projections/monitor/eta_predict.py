"""Re-prediction at every scan (issue 21): for the generations the monitor judges (each
marked due by a new event or a new carrier estimate), the delivery predicted from what is
known at the newest scan, kept per scan in `eta_predictions` (the first is the original), the
current one in `shipment_insights` with its confidence, and whether it is trending late: its
likeliest day after the promised one (the earlier of the carrier's current date and the day the
merchant promised on the parcel's order), while that day has not passed yet (the late watch
takes over then; a missed merchant's day, which the late watch judges too, also keeps it
flagged until an attempt); and once per parcel, a `revised` alert when the carrier's date moved
later than its first one (the shopper is told if the merchant opted in). Runs in the
monitor's transaction."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

import asyncpg

from suivi_projections.domain.eta_model import EtaModel, Prediction
from suivi_projections.domain.watch import Alert, alert_event_id, day_over, episode_id
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
    trending_late = u.trending, due_at = least(i.due_at, u.recheck)
FROM unnest($1::text[], $2::text[], $3::integer[], $4::date[], $5::date[], $6::integer[],
    $7::date[], $8::real[], $9::boolean[], $10::timestamptz[])
    AS u (carrier, tracking_number, generation, earliest, latest, samples, likeliest,
    confidence, trending, recheck)
WHERE i.carrier = u.carrier AND i.tracking_number = u.tracking_number
    AND i.generation = u.generation
"""
# The earliest day promised by a live order of each generation (a parcel may be in several):
# what trending late and the late watch (domain.watch.promise) compare with the carrier's date.
MERCHANT_PROMISES = """
SELECT k.carrier, k.tracking_number, k.generation, min(o.promised_delivery_date)
FROM unnest($1::text[], $2::text[], $3::integer[]) AS k (carrier, tracking_number, generation)
JOIN order_shipments l ON l.carrier = k.carrier AND l.tracking_number = k.tracking_number
    AND l.generation = k.generation AND l.state = 'active'
JOIN orders o ON o.order_id = l.order_id
WHERE o.promised_delivery_date IS NOT NULL AND NOT o.cancelled
GROUP BY k.carrier, k.tracking_number, k.generation
"""


@dataclass(frozen=True, slots=True)
class Current:
    """One generation's prediction now (None once attempted, or with nothing to go by)."""

    key: Key
    prediction: Prediction | None
    promised: date | None  # the carrier's current date
    trending_late: bool
    revised_from: date | None = None  # the carrier's first date, when the current one is later
    merchant_promised: date | None = None  # the day the parcel's order promised, if any


def trending_late(
    p: Prediction | None, promised: date | None, now: datetime, merchant: date | None = None
) -> bool:
    """The prediction passed the earlier of the carrier's date (while that day is still ahead
    or today: the late watch takes over then) and the merchant's promised day; or the merchant's
    day is over everywhere, undelivered (flagged until an attempt, besides its late episode)."""
    if p is not None and promised is not None and p.likeliest > promised >= now.date():
        return True
    if merchant is None:
        return False
    return now >= day_over(merchant) or (p is not None and p.likeliest > merchant)


async def repredict(
    conn: asyncpg.Connection,
    model: EtaModel,
    keys: Sequence[Key],
    now: datetime,
    merchant: Mapping[Key, date],
) -> list[Current]:
    """`merchant`: the keys' merchant promises (`merchant_promises`, read once per batch)."""
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
        ours = merchant.get(key)
        trending = trending_late(p, promised, now, ours)
        currents.append(Current(key, p, promised, trending, later, ours))
        if p is not None:
            records.append((*key, last_event_id, s.at, s.stage, p.earliest, p.likeliest,
                            p.latest, p.confidence, p.evidence, p.level, now))  # fmt: skip
    if records:
        await conn.execute(RECORD, *[list(c) for c in zip(*records, strict=True)])
    if currents:
        rows = [
            (*c.key, *_window(c.prediction), c.trending_late, _recheck(c, now)) for c in currents
        ]
        await conn.execute(SAVE, *[list(col) for col in zip(*rows, strict=True)])
    return currents


async def merchant_promises(conn: asyncpg.Connection, keys: Sequence[Key]) -> dict[Key, date]:
    """The earliest day a live, not cancelled order of each key promised (keys without none)."""
    if not keys:
        return {}
    columns = [list(c) for c in zip(*keys, strict=True)]
    rows = await conn.fetch(MERCHANT_PROMISES, *columns)
    return {(r[0], r[1], r[2]): r[3] for r in rows}


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


def _recheck(c: Current, now: datetime) -> datetime | None:
    """Judged again when the merchant's day is over, scan or not: late on its promise then."""
    if c.merchant_promised is None or now >= day_over(c.merchant_promised):
        return None
    return day_over(c.merchant_promised)


def _window(p: Prediction | None) -> tuple[Any, ...]:
    if p is None:
        return (None, None, None, None, None)
    return (p.earliest, p.latest, round(p.evidence), p.likeliest, p.confidence)
