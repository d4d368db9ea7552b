"""Delivery-estimate accuracy of one merchant (issue 21), the industry's way: parcels whose
first delivery attempt (delivered, attempted, at a pickup point) fell in the range, judged on
that attempt's UTC day; for our original prediction (the first in `eta_predictions`) and the
latest one made before the attempt: exact-day rate, window hit rate, mean window width and
mean absolute error in days, coverage (share with a prediction); against the overall-median
baseline (pickup day + the median transit of all these parcels) and the carrier's own first
and latest date where it gave one. Overall, per carrier and per lane."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

# $1 merchant, $2 first day, $3 last day (both included).
ACCURACY = """
WITH linked AS (
    SELECT DISTINCT l.carrier, l.tracking_number, l.generation
    FROM orders o JOIN order_shipments l ON l.order_id = o.order_id AND l.state = 'active'
    WHERE o.merchant_id = $1
), attempts AS (
    SELECT k.carrier, k.tracking_number, k.generation,
        coalesce(i.origin_country || '>' || i.destination_country, '?') AS lane,
        a.at, (a.at AT TIME ZONE 'UTC')::date AS actual,
        (i.pickup_at AT TIME ZONE 'UTC')::date AS pickup
    FROM linked k
    JOIN shipments s USING (carrier, tracking_number, generation)
    JOIN shipment_insights i USING (carrier, tracking_number, generation)
    JOIN LATERAL (
        SELECT min(e.occurred_at) AS at FROM shipment_events e
        WHERE e.carrier = k.carrier AND e.tracking_number = k.tracking_number
          AND e.status IN ('delivered', 'delivery_attempt_failed', 'available_for_pickup')
          AND e.occurred_at BETWEEN s.first_event_at AND s.last_event_at
    ) a ON true
    WHERE a.at >= $2::date::timestamp AT TIME ZONE 'UTC'
      AND a.at < ($3::date + 1)::timestamp AT TIME ZONE 'UTC'
), median AS (
    SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY actual - pickup) AS days
    FROM attempts WHERE pickup IS NOT NULL
), judged AS (
    SELECT t.carrier, t.lane, t.actual, m.moment,
        t.pickup + (SELECT days FROM median) AS baseline, p.earliest, p.likeliest, p.latest,
        c.latest AS carrier_day
    FROM attempts t
    CROSS JOIN (VALUES ('original'), ('latest')) AS m (moment)
    LEFT JOIN LATERAL (
        SELECT p.earliest, p.likeliest, p.latest FROM eta_predictions p
        WHERE p.carrier = t.carrier AND p.tracking_number = t.tracking_number
          AND p.generation = t.generation AND p.basis_at < t.at
        ORDER BY CASE WHEN m.moment = 'original' THEN p.basis_at END,
            p.basis_at DESC LIMIT 1
    ) p ON true
    LEFT JOIN LATERAL (
        SELECT o.latest FROM estimate_observations o
        WHERE o.carrier = t.carrier AND o.tracking_number = t.tracking_number
          AND o.source IN ('carrier', 'provider') AND o.occurred_at < t.at
          AND greatest(o.occurred_at, o.received_at) < t.at
        ORDER BY CASE WHEN m.moment = 'original' THEN o.occurred_at END,
            CASE WHEN m.moment = 'original' THEN o.received_at END,
            CASE WHEN m.moment = 'original' THEN o.recorded_at END,
            o.occurred_at DESC, o.received_at DESC, o.recorded_at DESC LIMIT 1
    ) c ON true
)
SELECT GROUPING(carrier, lane) AS level, moment, carrier, lane, count(*) AS parcels,
    count(likeliest) AS predicted,
    avg((likeliest = actual)::int)::float8 AS exact_rate,
    avg((actual BETWEEN earliest AND latest)::int)::float8 AS hit_rate,
    avg(latest - earliest + 1)::float8 AS mean_width,
    avg(abs(actual - likeliest))::float8 AS mae,
    avg(abs(actual - baseline)) FILTER (WHERE likeliest IS NOT NULL)::float8 AS baseline_mae,
    count(carrier_day) AS with_carrier_date,
    avg((carrier_day = actual)::int)::float8 AS carrier_exact_rate,
    avg(abs(actual - carrier_day))::float8 AS carrier_mae
FROM judged
GROUP BY GROUPING SETS ((moment), (moment, carrier), (moment, carrier, lane))
ORDER BY moment DESC, level DESC, carrier NULLS FIRST, lane NULLS FIRST
"""


@dataclass(frozen=True, slots=True)
class EtaAccuracy:
    """One row: `moment` original or latest; carrier and lane None on the totals."""

    moment: str
    carrier: str | None
    lane: str | None
    parcels: int
    predicted: int
    exact_rate: float | None
    hit_rate: float | None
    mean_width: float | None
    mae: float | None
    baseline_mae: float | None
    with_carrier_date: int
    carrier_exact_rate: float | None
    carrier_mae: float | None


async def read(
    conn: Any, merchant_id: str, first_day: date, last_day: date
) -> tuple[EtaAccuracy, ...]:
    rows = await conn.fetch(ACCURACY, merchant_id, first_day, last_day)
    fields = EtaAccuracy.__slots__
    return tuple(EtaAccuracy(**{f: r[f] for f in fields}) for r in rows)
