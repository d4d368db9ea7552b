"""The write side's SQL: constant text, set-based over arrays (`unnest`) or COPY-staged rows."""

from __future__ import annotations

GATE = """
INSERT INTO processed_events (event_id, topic)
SELECT * FROM unnest($1::uuid[], $2::text[])
ON CONFLICT (event_id) DO NOTHING
RETURNING event_id
"""

# Array order is lock order: callers pass sorted lock ids so transactions never deadlock.
LOCK_KEYS = "SELECT count(pg_advisory_xact_lock(k)) FROM unnest($1::bigint[]) AS k"

# Every parcel these orders list or may list once merged: linked, in the stored snapshot, in a
# stored fulfilment event (raw tracking numbers: the caller normalizes them).
LINKED_KEYS = """
WITH k AS (SELECT * FROM unnest($1::text[], $2::text[]) AS k (merchant_id, order_number))
SELECT l.carrier, l.tracking_number
FROM k JOIN orders o ON o.merchant_id = k.merchant_id AND o.order_number = k.order_number
JOIN order_shipments l ON l.order_id = o.order_id
UNION
SELECT p->>'carrier', p->>'tracking_number'
FROM k JOIN orders o ON o.merchant_id = k.merchant_id AND o.order_number = k.order_number,
    jsonb_array_elements(o.snapshot->'shipments') AS p
UNION
SELECT p->>'carrier', p->>'tracking_number'
FROM k JOIN order_fulfillments f
    ON f.merchant_id = k.merchant_id AND f.order_number = k.order_number,
    jsonb_array_elements(f.event->'shipments') AS p
"""

SHIPMENT_COLUMNS = """generation, event_count, first_event_id, first_event_at, last_event_id,
    last_event_at, status, substatus, action_required, reason, eta_event_id, eta_earliest,
    eta_latest, eta_source, delivered_at, terminal_at"""

EVENT_COLUMNS = (
    "event_id", "carrier", "tracking_number", "occurred_at", "status", "substatus",
    "action_required", "reason", "provider", "raw_code", "message", "location",
    "estimated_delivery", "eta_earliest", "eta_latest", "eta_source", "received_at",
    "raw_event_id",
)  # fmt: skip

# The two widest writes go through COPY into session temp tables (emptied at each commit), then
# one set-based statement each: asyncpg encodes a COPY row's values straight, where an array
# parameter costs an isinstance check per element (measured: ~13% of the projector's CPU).
# Created once per connection (see write.staging), outside any transaction.
STAGING = f"""
CREATE TEMP TABLE IF NOT EXISTS staged_events (LIKE shipment_events) ON COMMIT DELETE ROWS;
CREATE TEMP TABLE IF NOT EXISTS staged_shipments ON COMMIT DELETE ROWS AS
    SELECT carrier, tracking_number, {SHIPMENT_COLUMNS} FROM shipments WITH NO DATA;
"""  # noqa: S608 - a constant column list
STAGED_EVENTS = "staged_events"
STAGED_SHIPMENTS = "staged_shipments"

# The staged timeline merged, with the batch's key locks ($1, sorted lock ids), in one round
# trip. The scalar subquery takes the locks even when every event is a duplicate (a CTE nothing
# reads would not run); the reads that need the locks come in later statements, whose
# snapshots see what the previous holder committed. Staged rows are consumed (DELETE …
# RETURNING), so a second batch in one transaction starts empty.
INSERT_EVENTS = """
WITH locked AS (SELECT count(pg_advisory_xact_lock(k)) AS n FROM unnest($1::bigint[]) AS k),
staged AS (DELETE FROM staged_events RETURNING *),
inserted AS (
    INSERT INTO shipment_events SELECT * FROM staged
    ON CONFLICT (event_id) DO NOTHING
    RETURNING event_id
)
SELECT (SELECT n FROM locked) AS locked, ARRAY(SELECT event_id FROM inserted) AS fresh
"""

# Tokens are only ever inserted: the update keeps the row's own.
UPSERT_ORDERS = """
INSERT INTO orders AS o (
    merchant_id, order_number, event_id, source, placed_at, updated_at, cancelled, status,
    customer_email, customer_phone, customer_name, locale, timezone, notify_email, notify_sms,
    notify_push, shipping_address, line_items, snapshot, status_token, share_token)
SELECT u.merchant_id, u.order_number, u.event_id, u.source, u.placed_at, u.updated_at,
    u.cancelled, 'confirmed', u.customer_email, u.customer_phone, u.customer_name, u.locale,
    u.timezone, u.notify_email, u.notify_sms, u.notify_push, u.shipping_address::jsonb,
    u.line_items::jsonb, u.snapshot::jsonb, u.status_token, u.share_token
FROM unnest($1::text[], $2::text[], $3::uuid[], $4::text[], $5::timestamptz[],
    $6::timestamptz[], $7::boolean[], $8::text[], $9::text[], $10::text[], $11::text[],
    $12::text[], $13::boolean[], $14::boolean[], $15::boolean[], $16::text[], $17::text[],
    $18::text[], $19::text[], $20::text[])
    AS u (merchant_id, order_number, event_id, source, placed_at, updated_at, cancelled,
    customer_email, customer_phone, customer_name, locale, timezone, notify_email, notify_sms,
    notify_push, shipping_address, line_items, snapshot, status_token, share_token)
ON CONFLICT (merchant_id, order_number) DO UPDATE SET
    event_id = EXCLUDED.event_id, source = EXCLUDED.source, placed_at = EXCLUDED.placed_at,
    updated_at = EXCLUDED.updated_at, cancelled = EXCLUDED.cancelled,
    customer_email = EXCLUDED.customer_email, customer_phone = EXCLUDED.customer_phone,
    customer_name = EXCLUDED.customer_name, locale = EXCLUDED.locale,
    timezone = EXCLUDED.timezone, notify_email = EXCLUDED.notify_email,
    notify_sms = EXCLUDED.notify_sms, notify_push = EXCLUDED.notify_push,
    shipping_address = EXCLUDED.shipping_address, line_items = EXCLUDED.line_items,
    snapshot = EXCLUDED.snapshot
WHERE (o.updated_at, o.event_id) < (EXCLUDED.updated_at, EXCLUDED.event_id)
RETURNING o.order_id, o.merchant_id, o.order_number
"""

UPSERT_FULFILLMENTS = """
INSERT INTO order_fulfillments AS f (merchant_id, order_number, fulfillment_id, event_id,
    updated_at, event)
SELECT u.merchant_id, u.order_number, u.fulfillment_id, u.event_id, u.updated_at, u.event::jsonb
FROM unnest($1::text[], $2::text[], $3::text[], $4::uuid[], $5::timestamptz[], $6::text[])
    AS u (merchant_id, order_number, fulfillment_id, event_id, updated_at, event)
ON CONFLICT (merchant_id, order_number, fulfillment_id) DO UPDATE SET
    event_id = EXCLUDED.event_id, updated_at = EXCLUDED.updated_at, event = EXCLUDED.event
WHERE (f.updated_at, f.event_id) < (EXCLUDED.updated_at, EXCLUDED.event_id)
RETURNING f.merchant_id, f.order_number
"""

# Per order: its id and stored snapshot (NULL: none yet), and each stored fulfilment event.
LOAD_ORDER_PARTS = """
SELECT k.merchant_id, k.order_number, o.order_id, o.snapshot::text, f.event::text
FROM unnest($1::text[], $2::text[]) AS k (merchant_id, order_number)
LEFT JOIN orders o ON o.merchant_id = k.merchant_id AND o.order_number = k.order_number
LEFT JOIN order_fulfillments f
    ON f.merchant_id = k.merchant_id AND f.order_number = k.order_number
"""

UNLINK = """
DELETE FROM order_shipments WHERE order_id = ANY($1::bigint[])
RETURNING carrier, tracking_number
"""

# The loads probe the index once per key: `OFFSET 0` keeps each LATERAL subquery a nested
# loop, where a young, not yet analyzed table would get a full scan and a sort per batch.
LOAD_CHECKPOINTS = """
SELECT k.carrier, k.tracking_number, e.*
FROM unnest($1::text[], $2::text[]) AS k (carrier, tracking_number),
LATERAL (
    SELECT e.event_id, e.occurred_at, e.status, e.substatus, e.action_required, e.reason,
        e.eta_earliest, e.eta_latest, e.eta_source
    FROM shipment_events e
    WHERE e.carrier = k.carrier AND e.tracking_number = k.tracking_number OFFSET 0
) AS e
"""

# Per key: its orders' links (parallel arrays, empty when none), then one row per generation
# (one row of NULLs when it has none). Links and generations in one round trip.
LOAD_STATE = f"""
SELECT k.carrier, k.tracking_number, l.order_ids, l.anchors, l.generations, s.*
FROM unnest($1::text[], $2::text[]) AS k (carrier, tracking_number)
CROSS JOIN LATERAL (
    SELECT coalesce(array_agg(l.order_id), '{{}}') AS order_ids,
        coalesce(array_agg(l.anchor_at), '{{}}') AS anchors,
        coalesce(array_agg(l.generation), '{{}}') AS generations
    FROM order_shipments l
    WHERE l.carrier = k.carrier AND l.tracking_number = k.tracking_number
) AS l
LEFT JOIN LATERAL (
    SELECT {SHIPMENT_COLUMNS} FROM shipments s
    WHERE s.carrier = k.carrier AND s.tracking_number = k.tracking_number OFFSET 0
) AS s ON true
"""  # noqa: S608 - a constant column list

# Reads `staged` (CONSUME_STAGED_SHIPMENTS), a CTE of the statement it goes into.
CONSUME_STAGED_SHIPMENTS = "staged AS (DELETE FROM staged_shipments RETURNING *)"
UPSERT_SHIPMENTS = f"""
INSERT INTO shipments (carrier, tracking_number, {SHIPMENT_COLUMNS}, updated_at)
SELECT carrier, tracking_number, {SHIPMENT_COLUMNS}, now() FROM staged
ON CONFLICT (carrier, tracking_number, generation) DO UPDATE SET
    event_count = EXCLUDED.event_count, first_event_id = EXCLUDED.first_event_id,
    first_event_at = EXCLUDED.first_event_at, last_event_id = EXCLUDED.last_event_id,
    last_event_at = EXCLUDED.last_event_at, status = EXCLUDED.status,
    substatus = EXCLUDED.substatus, action_required = EXCLUDED.action_required,
    reason = EXCLUDED.reason, eta_event_id = EXCLUDED.eta_event_id,
    eta_earliest = EXCLUDED.eta_earliest, eta_latest = EXCLUDED.eta_latest,
    eta_source = EXCLUDED.eta_source, delivered_at = EXCLUDED.delivered_at,
    terminal_at = EXCLUDED.terminal_at, updated_at = EXCLUDED.updated_at
"""  # noqa: S608 - a constant column list

SHRINK_SHIPMENTS = """
DELETE FROM shipments s
USING unnest($1::text[], $2::text[], $3::integer[]) AS k (carrier, tracking_number, keep)
WHERE s.carrier = k.carrier AND s.tracking_number = k.tracking_number AND s.generation > k.keep
"""

INSERT_LINKS = """
INSERT INTO order_shipments (order_id, carrier, tracking_number, position, state, service,
    shipped_at, anchor_at, items, generation)
SELECT u.order_id, u.carrier, u.tracking_number, u.position, u.state, u.service, u.shipped_at,
    u.anchor_at, u.items::jsonb, u.generation
FROM unnest($1::bigint[], $2::text[], $3::text[], $4::integer[], $5::text[], $6::text[],
    $7::timestamptz[], $8::timestamptz[], $9::text[], $10::integer[])
    AS u (order_id, carrier, tracking_number, position, state, service, shipped_at, anchor_at,
    items, generation)
"""

RELINK = """
UPDATE order_shipments l SET generation = u.generation
FROM unnest($1::bigint[], $2::text[], $3::text[], $4::integer[])
    AS u (order_id, carrier, tracking_number, generation)
WHERE l.order_id = u.order_id AND l.carrier = u.carrier AND l.tracking_number = u.tracking_number
"""

# Locking first, reading the links in the next statement: that one sees every shipment change
# committed by whoever held these orders before (READ COMMITTED takes a snapshot per statement).
LOCK_ORDERS = """
SELECT order_id, cancelled, status_token, line_items::text, status
FROM orders WHERE order_id = ANY($1::bigint[]) ORDER BY order_id FOR UPDATE
"""

ORDER_SHIPMENTS = """
SELECT k.order_id, l.state, l.items::text, l.status, coalesce(l.action_required, false)
FROM unnest($1::bigint[]) AS k (order_id),
LATERAL (
    SELECT l.state, l.items, s.status, s.action_required
    FROM order_shipments l
    LEFT JOIN shipments s ON s.carrier = l.carrier AND s.tracking_number = l.tracking_number
        AND s.generation = l.generation
    WHERE l.order_id = k.order_id OFFSET 0
) AS l
"""

# The changed statuses and the notifications in one round trip: a data-modifying CTE runs
# whether or not the query reads it. Listeners hear of it at commit.
SET_STATUS_AND_NOTIFY = """
WITH changed AS (
    UPDATE orders o SET status = u.status
    FROM unnest($2::bigint[], $3::text[]) AS u (order_id, status)
    WHERE o.order_id = u.order_id
)
SELECT count(pg_notify($1, t)) FROM unnest($4::text[]) AS t
"""
