"""The monitor's SQL: claim due generations, derive their facts, record alerts, learn thresholds."""

from __future__ import annotations

# Claims up to $2 due rows (SKIP LOCKED: two monitors never hold the same shipment) and derives
# what the rules need from the read models, in one pass over each generation's events (its
# key's events between its first and last event; one index range scan).
CLAIM_DUE = """
WITH due AS (
    SELECT carrier, tracking_number, generation FROM shipment_insights
    WHERE due_at <= $1 ORDER BY due_at LIMIT $2 FOR UPDATE SKIP LOCKED
)
SELECT d.carrier, d.tracking_number, d.generation, s.status, s.last_event_id, s.last_event_at,
    s.event_count, s.delivered_at, coalesce(eo.latest, s.eta_latest) AS eta_latest,
    coalesce(eo.source, s.eta_source) AS eta_source, i.stall_episode,
    i.late_episode, i.predicted_earliest, i.predicted_latest, i.predicted_samples,
    e.origin, e.location, e.pickup_at, e.promised_latest,
    coalesce(o.destination, e.delivered_in) AS destination, o.service, s.substatus,
    EXISTS (SELECT 1 FROM parcel_legs p
        JOIN parcel_legs q USING (parcel_carrier, parcel_tracking_number)
        JOIN shipments qs ON qs.carrier = q.carrier AND qs.tracking_number = q.tracking_number
        WHERE p.carrier = d.carrier AND p.tracking_number = d.tracking_number
          AND q.position > p.position AND qs.event_count > 0) AS handed_over
FROM due d
JOIN shipment_insights i USING (carrier, tracking_number, generation)
LEFT JOIN shipments s USING (carrier, tracking_number, generation)
LEFT JOIN LATERAL (
    SELECT
        (array_agg(e.location->>'country' ORDER BY e.occurred_at, e.event_id)
            FILTER (WHERE e.location->>'country' IS NOT NULL))[1] AS origin,
        (array_agg(e.location::text ORDER BY e.occurred_at DESC, e.event_id DESC)
            FILTER (WHERE e.location IS NOT NULL))[1] AS location,
        min(e.occurred_at) FILTER (WHERE e.status NOT IN ('pending', 'info_received'))
            AS pickup_at,
        (array_agg(e.eta_latest ORDER BY e.occurred_at, e.event_id)
            FILTER (WHERE e.eta_source IN ('carrier', 'provider')))[1] AS promised_latest,
        (array_agg(e.location->>'country' ORDER BY e.occurred_at DESC, e.event_id DESC)
            FILTER (WHERE e.status = 'delivered'))[1] AS delivered_in
    FROM shipment_events e
    WHERE e.carrier = d.carrier AND e.tracking_number = d.tracking_number
      AND e.occurred_at BETWEEN s.first_event_at AND s.last_event_at
) AS e ON true
-- The carrier's current estimate, revisions included (issue 21: estimate_observations).
LEFT JOIN LATERAL (
    SELECT o.latest, o.source FROM estimate_observations o
    WHERE o.carrier = d.carrier AND o.tracking_number = d.tracking_number
      AND o.occurred_at BETWEEN s.first_event_at AND s.last_event_at
    ORDER BY o.occurred_at DESC, o.received_at DESC, o.recorded_at DESC LIMIT 1
) AS eo ON true
LEFT JOIN LATERAL (
    SELECT upper(o.shipping_address->>'country') AS destination, l.service
    FROM order_shipments l JOIN orders o ON o.order_id = l.order_id
    WHERE l.carrier = d.carrier AND l.tracking_number = d.tracking_number
      AND l.generation = d.generation AND l.state = 'active'
    ORDER BY l.order_id LIMIT 1
) AS o ON true
"""

# Inserted first: a row that exists already (another instance, or before a restart) was
# published then, and only the rows this statement returns are published now.
RECORD_ALERTS = """
INSERT INTO shipment_alerts (event_id, episode_id, kind, episode_kind, carrier, tracking_number,
    generation, status, location, last_event_at, detected_at, expected_by, detail)
SELECT u.event_id, u.episode_id, u.kind, u.episode_kind, u.carrier, u.tracking_number,
    u.generation, u.status, u.location::jsonb, u.last_event_at, u.detected_at, u.expected_by,
    u.detail
FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[],
    $7::integer[], $8::text[], $9::text[], $10::timestamptz[], $11::timestamptz[],
    $12::timestamptz[], $13::text[])
    AS u (event_id, episode_id, kind, episode_kind, carrier, tracking_number, generation,
    status, location, last_event_at, detected_at, expected_by, detail)
ON CONFLICT (event_id) DO NOTHING
RETURNING event_id
"""

SAVE_INSIGHTS = """
UPDATE shipment_insights i SET
    due_at = u.due_at, evaluated_at = u.evaluated_at, origin_country = u.origin,
    destination_country = u.destination, service = u.service, pickup_at = u.pickup_at,
    delivered_at = u.delivered_at, promised_latest = u.promised_latest,
    predicted_earliest = u.predicted_earliest, predicted_latest = u.predicted_latest,
    predicted_samples = u.predicted_samples, stall_threshold = u.stall_threshold,
    stall_episode = u.stall_episode, late_episode = u.late_episode
FROM unnest($1::text[], $2::text[], $3::integer[], $4::timestamptz[], $5::timestamptz[],
    $6::text[], $7::text[], $8::text[], $9::timestamptz[], $10::timestamptz[], $11::date[],
    $12::date[], $13::date[], $14::integer[], $15::interval[], $16::uuid[], $17::uuid[])
    AS u (carrier, tracking_number, generation, due_at, evaluated_at, origin, destination,
    service, pickup_at, delivered_at, promised_latest, predicted_earliest, predicted_latest,
    predicted_samples, stall_threshold, stall_episode, late_episode)
WHERE i.carrier = u.carrier AND i.tracking_number = u.tracking_number
    AND i.generation = u.generation
"""

# A generation gone from `shipments` (a late event merged generations): nothing to watch.
DROP_ORPHANS = """
DELETE FROM shipment_insights i
USING unnest($1::text[], $2::text[], $3::integer[]) AS k (carrier, tracking_number, generation)
WHERE i.carrier = k.carrier AND i.tracking_number = k.tracking_number
    AND i.generation = k.generation
"""

# The silence after each event (until the key's next event), by the status the shipment sat
# at ('customs' while waiting there: domain.watch.situation), over events since $1; terminal
# statuses and gaps across generations are not silences.
# Grouping sets give every fallback level in one pass: lane, lane class, any lane ('*').
LEARN_THRESHOLDS = """
WITH gaps AS (
    SELECT e.carrier, e.tracking_number,
        CASE WHEN e.substatus IN ('customs_processing', 'customs_hold')
              AND e.status IN ('in_transit', 'exception') THEN 'customs'
             ELSE e.status END AS status, e.occurred_at,
        lead(e.occurred_at) OVER (PARTITION BY e.carrier, e.tracking_number
                                  ORDER BY e.occurred_at, e.event_id) - e.occurred_at AS gap
    FROM shipment_events e WHERE e.occurred_at >= $1
),
laned AS (
    SELECT g.carrier, g.status, g.gap, i.origin_country AS origin,
        i.destination_country AS destination
    FROM gaps g
    LEFT JOIN LATERAL (
        SELECT i.origin_country, i.destination_country FROM shipments s
        JOIN shipment_insights i USING (carrier, tracking_number, generation)
        WHERE s.carrier = g.carrier AND s.tracking_number = g.tracking_number
          AND g.occurred_at BETWEEN s.first_event_at AND s.last_event_at
        LIMIT 1
    ) AS i ON true
    WHERE g.gap IS NOT NULL AND g.gap < $2
      AND g.status NOT IN ('delivered', 'returned_to_sender', 'lost', 'cancelled', 'expired')
)
SELECT carrier, status,
    CASE WHEN GROUPING(origin, destination) = 0 THEN origin || '>' || destination
         WHEN GROUPING(lane_class) = 0 THEN lane_class ELSE '*' END AS lane,
    percentile_disc($3::float8) WITHIN GROUP (ORDER BY gap) AS threshold, count(*) AS samples
FROM (SELECT *, CASE WHEN origin IS NULL OR destination IS NULL THEN NULL
                     WHEN origin = destination THEN 'domestic' ELSE 'international' END
                     AS lane_class FROM laned) AS l
GROUP BY GROUPING SETS ((carrier, status, origin, destination, lane_class),
                        (carrier, status, lane_class), (carrier, status))
HAVING count(*) >= $4
    AND (GROUPING(origin, destination) <> 0 OR (origin IS NOT NULL AND destination IS NOT NULL))
    AND (GROUPING(lane_class) = 1 OR lane_class IS NOT NULL)
"""

REPLACE_THRESHOLDS = """
INSERT INTO stall_thresholds (carrier, status, lane, threshold, samples, learned_at)
SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::interval[], $5::integer[],
    $6::timestamptz[])
"""

LOAD_THRESHOLDS = "SELECT carrier, status, lane, threshold, samples FROM stall_thresholds"

# One learner at a time across instances (transaction-scoped, so a crash releases it).
TRY_LEARN_LOCK = "SELECT pg_try_advisory_xact_lock(hashtext('suivi_projections.monitor.learn'))"

# The status pages of the orders whose parcels changed episode (live updates, see query/live.py).
NOTIFY_ORDERS = """
SELECT count(pg_notify($4, t.status_token)) FROM (
    SELECT DISTINCT o.status_token
    FROM unnest($1::text[], $2::text[], $3::integer[]) AS k (carrier, tracking_number, generation)
    JOIN order_shipments l ON l.carrier = k.carrier AND l.tracking_number = k.tracking_number
        AND l.generation = k.generation
    JOIN orders o ON o.order_id = l.order_id
) AS t
"""
