"""The read side's estimate fragments (issue 21): the carrier's current and original estimate,
how often it was revised, and the monitor's current prediction, joined into the shipment
queries of query/sql.py (constant text; `s` is the shipment generation, `i` its insights)."""

from __future__ import annotations

from datetime import date
from typing import Any

from suivi_projections.query.views import EstimateStory
from suivi_schemas import EstimatedDelivery

# Ends as the replaced column did ("AS estimated_delivery"): query/sql.py edits after it.
COLUMNS = """eo.original::text AS original_estimate,
    coalesce(eo.revisions, 0) AS estimate_revisions, i.predicted_likeliest,
    i.predicted_confidence, coalesce(i.trending_late, false) AS trending_late,
    coalesce(eo.current, ee.estimated_delivery)::text AS estimated_delivery"""
# This generation's observations only: those from its first event on.
JOIN = """LEFT JOIN LATERAL (
    SELECT (array_agg(ob.estimate ORDER BY ob.occurred_at DESC, ob.received_at DESC,
        ob.recorded_at DESC))[1]
        AS current,
        (array_agg(ob.estimate ORDER BY ob.occurred_at, ob.received_at, ob.recorded_at))[1]
            AS original,
        count(*) FILTER (WHERE ob.previous IS NOT NULL
            AND ob.previous IS DISTINCT FROM (ob.earliest, ob.latest)) AS revisions
    FROM (
        SELECT x.*, lag((x.earliest, x.latest))
            OVER (ORDER BY x.occurred_at, x.received_at, x.recorded_at) AS previous
        FROM estimate_observations x
        WHERE x.carrier = s.carrier AND x.tracking_number = s.tracking_number
            AND x.occurred_at >= s.first_event_at
    ) ob
) eo ON true
"""


_SHOWN = "ee.estimated_delivery::text AS estimated_delivery"
_CARRIER_ETA = "LEFT JOIN shipment_events ee ON ee.event_id = s.eta_event_id\n"


def with_estimates(query: str) -> str:
    """A shipment query of query/sql.py with COLUMNS in place of the carrier's estimate of the
    generation's newest event, and JOIN after that event's join."""
    if _SHOWN not in query or _CARRIER_ETA not in query:
        raise ValueError("not a shipment query with the carrier's estimate")
    return query.replace(_SHOWN, COLUMNS).replace(_CARRIER_ETA, _CARRIER_ETA + JOIN)


def story(r: Any) -> EstimateStory:
    """The estimate's story from a row with COLUMNS."""
    original = r["original_estimate"]
    confidence = r["predicted_confidence"]
    likeliest: date | None = r["predicted_likeliest"]
    return EstimateStory(
        original=EstimatedDelivery.model_validate_json(original) if original else None,
        revisions=int(r["estimate_revisions"]),
        earliest=r["predicted_earliest"] if likeliest else None,
        latest=r["predicted_latest"] if likeliest else None,
        likeliest=likeliest,
        confidence=float(confidence) if confidence is not None else None,
        trending_late=bool(r["trending_late"]),
    )
