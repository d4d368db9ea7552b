"""The merchant analytics' SQL (query/analytics.py states the definitions it computes).

Every query takes $1 merchant id, $2 first day, $3 last day (UTC, both included); STALLS also
$4, how many hotspots. They read what the write side and the monitor stored.
"""

_LINKED = """
WITH linked AS (
    SELECT DISTINCT ON (l.carrier, l.tracking_number, l.generation)
        l.carrier, l.tracking_number, l.generation, l.shipped_at, o.shipping_address
    FROM orders o
    JOIN order_shipments l ON l.order_id = o.order_id AND l.state = 'active'
    WHERE o.merchant_id = $1
    ORDER BY l.carrier, l.tracking_number, l.generation, o.placed_at DESC, o.order_id DESC
), span AS (
    SELECT $2::date::timestamp AT TIME ZONE 'UTC' AS lo,
        ($3::date + 1)::timestamp AT TIME ZONE 'UTC' AS hi
)"""
_FACTS = """, facts AS (
    SELECT k.carrier, k.tracking_number, k.generation,
        -- A parcel handed to another carrier (issue 17) is delivered by its later leg: once.
        coalesce(s.delivered_at, (SELECT max(ls.delivered_at) FROM parcel_legs p
            JOIN parcel_legs q USING (parcel_carrier, parcel_tracking_number)
            JOIN shipments ls ON ls.carrier = q.carrier AND ls.tracking_number = q.tracking_number
            WHERE p.carrier = k.carrier AND p.tracking_number = k.tracking_number
                AND q.position > p.position)) AS delivered_at,
        coalesce(i.pickup_at, k.shipped_at, s.first_event_at) AS started_at,
        coalesce(i.promised_latest, i.predicted_latest) AS promised,
        coalesce(nullif(upper(btrim(k.shipping_address ->> 'country')), ''),
            i.destination_country) AS country,
        CASE WHEN nullif(btrim(k.shipping_address ->> 'country'), '') IS NOT NULL
            THEN nullif(btrim(k.shipping_address ->> 'region'), '') END AS region,
        s.first_event_at, s.first_event_id, s.last_event_at, s.last_event_id
    FROM linked k
    LEFT JOIN shipments s USING (carrier, tracking_number, generation)
    LEFT JOIN shipment_insights i USING (carrier, tracking_number, generation)
)"""
_DELIVERED = """, delivered AS (
    SELECT f.carrier, f.country, f.region, f.promised,
        (f.delivered_at AT TIME ZONE 'UTC')::date AS day,
        (extract(epoch FROM f.delivered_at - f.started_at) / 86400)::float8 AS days,
        (f.delivered_at AT TIME ZONE 'UTC')::date <= f.promised AS on_time
    FROM facts f CROSS JOIN span
    WHERE f.delivered_at >= span.lo AND f.delivered_at < span.hi
        AND f.started_at <= f.delivered_at
)"""


# GROUPING(carrier, country, region) is a bit mask of the columns *not* grouped by: 7 for the
# overall row, 3 per carrier, 5 per country, 4 per (country, region).
DELIVERY_STATS = (
    _LINKED
    + _FACTS
    + _DELIVERED
    + """
SELECT GROUPING(carrier, country, region) AS level, carrier, country, region,
    count(*) AS deliveries,
    round((percentile_cont(0.5) WITHIN GROUP (ORDER BY days))::numeric, 2)::float8 AS median_days,
    round((percentile_cont(0.9) WITHIN GROUP (ORDER BY days))::numeric, 2)::float8 AS p90_days,
    count(promised) AS with_estimate, count(*) - count(promised) AS without_estimate,
    count(*) FILTER (WHERE on_time) AS on_time,
    round(count(*) FILTER (WHERE on_time)::numeric / nullif(count(promised), 0), 4)::float8
        AS on_time_rate
FROM delivered
GROUP BY GROUPING SETS ((), (carrier), (country), (country, region))
HAVING GROUPING(region) = 1 OR region IS NOT NULL
ORDER BY GROUPING(carrier, country, region) = 7 DESC, GROUPING(carrier) ASC,
    CASE WHEN GROUPING(carrier) = 0 THEN count(*) END DESC, carrier,
    country NULLS LAST, region NULLS FIRST
"""
)

# Every day of the range, those without a delivery included (the chart's x axis).
DAILY = (
    _LINKED
    + _FACTS
    + _DELIVERED
    + """
SELECT d::date AS day, count(x.days) AS deliveries,
    round((percentile_cont(0.5) WITHIN GROUP (ORDER BY days))::numeric, 2)::float8 AS median_days
FROM generate_series($2::date, $3::date, interval '1 day') AS d
LEFT JOIN delivered x ON x.day = d::date
GROUP BY d
ORDER BY d
"""
)

RATES = (
    _LINKED  # noqa: S608 - constant fragments
    + _FACTS
    + """, started AS (
    SELECT f.carrier, coalesce(ev.exception, false) AS exception,
        coalesce(ev.failed, false) AS failed
    FROM facts f CROSS JOIN span
    LEFT JOIN LATERAL (
        SELECT bool_or(e.status = 'exception') AS exception,
            bool_or(e.status = 'delivery_attempt_failed') AS failed
        FROM shipment_events e
        WHERE e.carrier = f.carrier AND e.tracking_number = f.tracking_number
            AND (e.occurred_at, e.event_id) >= (f.first_event_at, f.first_event_id)
            AND (e.occurred_at, e.event_id) <= (f.last_event_at, f.last_event_id)
    ) ev ON true
    WHERE f.started_at >= span.lo AND f.started_at < span.hi
)
SELECT GROUPING(carrier) AS level, carrier, count(*) AS shipments,
    count(*) FILTER (WHERE exception) AS with_exception,
    count(*) FILTER (WHERE failed) AS with_failed_attempt,
    round(count(*) FILTER (WHERE exception)::numeric / nullif(count(*), 0), 4)::float8
        AS exception_rate,
    round(count(*) FILTER (WHERE failed)::numeric / nullif(count(*), 0), 4)::float8
        AS failed_attempt_rate
FROM started
GROUP BY GROUPING SETS ((), (carrier))
ORDER BY level DESC, shipments DESC, carrier
"""
)

# Levels: 7 the total, 3 per status, 4 per place; the top $4 of each, and the total.
STALLS = (
    _LINKED  # noqa: S608 - constant fragments
    + """, stalls AS (
    SELECT a.episode_id, a.status, nullif(btrim(a.location ->> 'city'), '') AS city,
        nullif(upper(btrim(a.location ->> 'country')), '') AS country
    FROM shipment_alerts a
    JOIN linked k USING (carrier, tracking_number, generation)
    CROSS JOIN span
    WHERE a.kind = 'stalled' AND a.detected_at >= span.lo AND a.detected_at < span.hi
), counted AS (
    SELECT GROUPING(status, city, country) AS level, status, city, country,
        count(DISTINCT episode_id) AS stalls
    FROM stalls
    GROUP BY GROUPING SETS ((), (status), (city, country))
), ranked AS (
    SELECT *, row_number() OVER (PARTITION BY level
        ORDER BY stalls DESC, status, country NULLS LAST, city NULLS LAST) AS rank
    FROM counted
)
SELECT level, status, city, country, stalls FROM ranked WHERE rank <= $4 OR level = 7
ORDER BY level DESC, rank
"""
)
