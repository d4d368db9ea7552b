"""The write side's SQL: constant text, set-based over arrays (`unnest`) or jsonb rows.

The wide writes travel as one jsonb parameter each, an array of rows (arrays of column values,
encoded by orjson) that `from_json` reads back: no per-element encoding in Python (an asyncpg
array parameter pays an isinstance check per element; COPY costs a round trip of its own, and
then a statement to merge what it staged). The narrow key lists stay arrays.
"""

from __future__ import annotations

from collections.abc import Sequence

from suivi_projections.monitor import schedule

GATE = """
INSERT INTO processed_events (event_id, topic)
SELECT * FROM unnest($1::uuid[], $2::text[])
ON CONFLICT (event_id) DO NOTHING
RETURNING event_id
"""

# Array order is lock order: callers pass sorted lock ids so transactions never deadlock.
LOCK_KEYS = "SELECT count(pg_advisory_xact_lock(k)) FROM unnest($1::bigint[]) AS k"

# Every parcel the orders `k` list or may list once merged: linked, in the stored snapshot, in
# a stored fulfilment event (raw tracking numbers: the caller normalizes them).
_LINKED_OF_K = """
SELECT l.carrier, l.tracking_number
FROM k JOIN orders o ON o.merchant_id = k.merchant_id AND o.order_number = k.order_number
JOIN order_shipments l ON l.order_id = o.order_id
UNION
SELECT p->>'carrier', p->>'tracking_number'
FROM k JOIN orders o ON o.merchant_id = k.merchant_id AND o.order_number = k.order_number,
    jsonb_array_elements(o.snapshot->'shipments') AS p
UNION
SELECT p->>'carrier', p->>'tracking_number'
FROM k CROSS JOIN LATERAL (
    SELECT f.event FROM order_fulfillments f
    WHERE f.merchant_id = k.merchant_id AND f.order_number = k.order_number OFFSET 0
) AS f,
    jsonb_array_elements(f.event->'shipments') AS p
"""
# GATE, and the parcels of the orders it lets through, in one round trip: the batch's order
# events ($1 ids sorted, $2 topics, $3 merchants, $4 order numbers) not applied before (rows
# with an event_id), and the parcels of the orders they name (rows without).
GATE_AND_LINKED_KEYS = f"""
WITH fresh AS ({GATE}),
k AS (
    SELECT DISTINCT u.merchant_id, u.order_number
    FROM unnest($1::uuid[], $3::text[], $4::text[]) AS u (event_id, merchant_id, order_number)
    WHERE u.event_id IN (SELECT event_id FROM fresh)
),
linked AS ({_LINKED_OF_K})
SELECT event_id, NULL AS carrier, NULL AS tracking_number FROM fresh
UNION ALL
SELECT NULL, carrier, tracking_number FROM linked
"""  # noqa: S608 - constant text

SHIPMENT_COLUMNS = """generation, event_count, first_event_id, first_event_at, last_event_id,
    last_event_at, status, substatus, action_required, reason, eta_event_id, eta_earliest,
    eta_latest, eta_source, delivered_at, terminal_at"""
SHIPMENT_TYPES = (
    "text", "text", "integer", "integer", "uuid", "timestamptz", "uuid", "timestamptz", "text",
    "text", "boolean", "text", "uuid", "date", "date", "text", "timestamptz", "timestamptz",
)  # fmt: skip
SHIPMENT_NAMES = ("carrier", "tracking_number", *(c.strip() for c in SHIPMENT_COLUMNS.split(",")))

EVENT_COLUMNS = (
    "event_id", "carrier", "tracking_number", "occurred_at", "status", "substatus",
    "action_required", "reason", "provider", "raw_code", "message", "location",
    "estimated_delivery", "eta_earliest", "eta_latest", "eta_source", "received_at",
    "raw_event_id",
)  # fmt: skip
EVENT_TYPES = (
    "uuid", "text", "text", "timestamptz", "text", "text", "boolean", "text", "text", "text",
    "text", "jsonb", "jsonb", "date", "date", "text", "timestamptz", "uuid",
)  # fmt: skip


def from_json(param: str, types: Sequence[str], names: Sequence[str] = ()) -> str:
    """`SELECT <each column, cast> FROM jsonb_array_elements(<param>)`: the rows of a jsonb
    array of arrays in array order (JSON null is SQL NULL, in jsonb columns too), the columns
    named after `names` if given."""
    columns = []
    for i, kind in enumerate(types):
        if kind == "jsonb":
            value = f"nullif(r->{i}, 'null')"
        elif kind == "text":
            value = f"r->>{i}"
        else:
            value = f"(r->>{i})::{kind}"
        columns.append(f"{value} AS {names[i]}" if names else value)
    return f"SELECT {', '.join(columns)} FROM jsonb_array_elements({param}::jsonb) AS r"  # noqa: S608


# The batch's new timeline rows ($2, EVENT_COLUMNS, sorted by event id) with the batch's key
# locks ($1, sorted lock ids), in one round trip. The scalar subquery takes the locks first,
# even when every event is a duplicate (a CTE nothing reads would not run), then the insert
# runs as the array reads it; the reads that need the locks come in later statements, whose
# snapshots see what the previous holder committed.
INSERT_EVENTS = f"""
WITH locked AS (SELECT count(pg_advisory_xact_lock(k)) AS n FROM unnest($1::bigint[]) AS k),
inserted AS (
    INSERT INTO shipment_events ({", ".join(EVENT_COLUMNS)})
    {from_json("$2", EVENT_TYPES)}
    ON CONFLICT (event_id) DO NOTHING
    RETURNING event_id
)
SELECT (SELECT n FROM locked) AS locked, ARRAY(SELECT event_id FROM inserted) AS fresh
"""  # noqa: S608 - constant column lists


def set_excluded(columns: Sequence[str]) -> str:
    """The SET list of an `ON CONFLICT … DO UPDATE` taking each column from EXCLUDED."""
    return ", ".join(f"{c} = EXCLUDED.{c}" for c in columns)


# What a newer snapshot rewrites: all but the key, the tokens (only ever inserted: the row
# keeps its own) and the status (the projector's, from the order's parcels).
_ORDER_UPDATES = (
    "event_id", "source", "placed_at", "updated_at", "cancelled", "customer_email",
    "customer_phone", "customer_name", "locale", "timezone", "notify_email", "notify_sms",
    "notify_push", "shipping_address", "line_items", "snapshot", "promised_delivery_date",
)  # fmt: skip
# The merchant's promised day is read from the snapshot itself (ISO text: no DateStyle in
# play), so it moves with it.
UPSERT_ORDERS = f"""
INSERT INTO orders AS o (
    merchant_id, order_number, event_id, source, placed_at, updated_at, cancelled, status,
    customer_email, customer_phone, customer_name, locale, timezone, notify_email, notify_sms,
    notify_push, shipping_address, line_items, snapshot, status_token, share_token,
    promised_delivery_date)
SELECT u.merchant_id, u.order_number, u.event_id, u.source, u.placed_at, u.updated_at,
    u.cancelled, 'confirmed', u.customer_email, u.customer_phone, u.customer_name, u.locale,
    u.timezone, u.notify_email, u.notify_sms, u.notify_push, u.shipping_address::jsonb,
    u.line_items::jsonb, u.snapshot::jsonb, u.status_token, u.share_token,
    (u.snapshot::jsonb->>'promised_delivery_date')::date
FROM unnest($1::text[], $2::text[], $3::uuid[], $4::text[], $5::timestamptz[],
    $6::timestamptz[], $7::boolean[], $8::text[], $9::text[], $10::text[], $11::text[],
    $12::text[], $13::boolean[], $14::boolean[], $15::boolean[], $16::text[], $17::text[],
    $18::text[], $19::text[], $20::text[])
    AS u (merchant_id, order_number, event_id, source, placed_at, updated_at, cancelled,
    customer_email, customer_phone, customer_name, locale, timezone, notify_email, notify_sms,
    notify_push, shipping_address, line_items, snapshot, status_token, share_token)
ON CONFLICT (merchant_id, order_number) DO UPDATE SET {set_excluded(_ORDER_UPDATES)}
WHERE (o.updated_at, o.event_id) < (EXCLUDED.updated_at, EXCLUDED.event_id)
RETURNING o.order_id, o.merchant_id, o.order_number
"""  # noqa: S608 - constant text

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

# A batch without fulfilment events: UPSERT_ORDERS, then, in the same round trip, the stored
# fulfilment events of the orders it changed (one row per order and event, `fulfilment` NULL
# when none: what LOAD_ORDER_PARTS would read, the snapshots being the batch's own), and
# UNLINK of those orders (rows with only `carrier` and `tracking_number`).
UPSERT_ORDERS_AND_UNLINK = f"""
WITH upserted AS ({UPSERT_ORDERS}),
unlinked AS (
    DELETE FROM order_shipments
    WHERE order_id = ANY(ARRAY(SELECT order_id FROM upserted))
    RETURNING carrier, tracking_number
)
SELECT u.order_id, u.merchant_id, u.order_number, f.event::text AS fulfilment,
    NULL AS carrier, NULL AS tracking_number
FROM upserted u LEFT JOIN LATERAL (
    SELECT f.event FROM order_fulfillments f
    WHERE f.merchant_id = u.merchant_id AND f.order_number = u.order_number OFFSET 0
) AS f ON true
UNION ALL
SELECT NULL, NULL, NULL, NULL, carrier, tracking_number FROM unlinked
"""  # noqa: S608 - constant text

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

ORDER_COLUMNS = "order_id, cancelled, status_token, line_items::text, status"
# Locking first, reading the links in the next statement: that one sees every shipment change
# committed by whoever held these orders before (READ COMMITTED takes a snapshot per statement).
LOCK_ORDERS = f"""
SELECT {ORDER_COLUMNS}
FROM orders WHERE order_id = ANY($1::bigint[]) ORDER BY order_id FOR UPDATE
"""  # noqa: S608 - a constant column list

# The batch's state in one round trip, after the key locks (EVENTS):
#   'k' rows: LOAD_STATE, for the touched keys ($1, $2);
#   'o' rows: the orders this batch may change, locked (sorted: no deadlock) and read: those
#     linked to these keys, those linked to the keys $5, $6 (the batch's other parts' keys,
#     see batch.py: all the batch's orders are locked in one statement), and those given ($4:
#     the orders whose parcels the batch relinks); the next statement reads their parcels (see
#     LOCK_ORDERS);
#   'e' rows: the estimate windows ($3, rows of OBSERVATION_TYPES, from estimates.py)
#     observed for the first time, one per shipment, with its newest generation as this
#     statement sees it (before this batch's shipments are written): due for the monitor.
OBSERVATION_COLUMNS = (
    "carrier", "tracking_number", "checkpoint_id", "earliest", "latest", "source",
    "occurred_at", "received_at", "estimate",
)  # fmt: skip
OBSERVATION_TYPES = (
    "text", "text", "uuid", "date", "date", "text", "timestamptz", "timestamptz", "jsonb",
)  # fmt: skip
_NO_SHIPMENT = ", ".join("NULL" for _ in SHIPMENT_COLUMNS.split(","))
_NO_ORDER = "NULL::bigint, NULL::boolean, NULL::text, NULL::text, NULL::text"
_OBSERVED = f"""observed AS (
    INSERT INTO estimate_observations ({", ".join(OBSERVATION_COLUMNS)})
    {from_json("$3", OBSERVATION_TYPES)}
    ON CONFLICT DO NOTHING
    RETURNING carrier, tracking_number
),
state AS ({LOAD_STATE})"""
_STATE_ROWS = f"SELECT 'k' AS kind, state.*, {_NO_ORDER} FROM state"  # noqa: S608 - constant
_ESTIMATED_ROWS = f"""SELECT 'e', o.carrier, o.tracking_number, NULL, NULL, NULL, (
    SELECT max(s.generation) FROM shipments s
    WHERE s.carrier = o.carrier AND s.tracking_number = o.tracking_number
), {_NO_SHIPMENT.split(", ", 1)[1]}, {_NO_ORDER}
FROM (SELECT DISTINCT carrier, tracking_number FROM observed) AS o"""  # noqa: S608
LOAD_AND_LOCK = f"""
WITH {_OBSERVED},
locked AS (
    SELECT {ORDER_COLUMNS} FROM orders
    WHERE order_id = ANY(ARRAY(
        SELECT unnest(order_ids) FROM state UNION SELECT unnest($4::bigint[])
        UNION SELECT l.order_id
        FROM unnest($5::text[], $6::text[]) AS x (carrier, tracking_number),
        LATERAL (
            SELECT l.order_id FROM order_shipments l
            WHERE l.carrier = x.carrier AND l.tracking_number = x.tracking_number OFFSET 0
        ) AS l
    ))
    ORDER BY order_id FOR UPDATE
)
{_STATE_ROWS}
UNION ALL
SELECT 'o', NULL, NULL, NULL, NULL, NULL, {_NO_SHIPMENT}, locked.* FROM locked
UNION ALL
{_ESTIMATED_ROWS}
"""  # noqa: S608 - constant text
# LOAD_AND_LOCK without the orders ($1 to $3): a later part of a batch whose orders the first
# part's LOAD_AND_LOCK locked (and read) already.
LOAD_AND_OBSERVE = f"""
WITH {_OBSERVED}
{_STATE_ROWS}
UNION ALL
{_ESTIMATED_ROWS}
"""


def mark_due_from(rows: str) -> str:
    """The monitor's MARK_DUE (schedule), its rows read from `rows`, a query of (carrier,
    tracking_number, generation)."""
    source = "unnest($1::text[], $2::text[], $3::integer[])"
    assert source in schedule.MARK_DUE, "schedule.MARK_DUE changed its rows"
    return schedule.MARK_DUE.replace(source, f"({rows})")


_SHIPMENT_UPDATES = (*SHIPMENT_NAMES[3:], "updated_at")  # all but the key
# The changed generations (rows `carrier, tracking_number, <SHIPMENT_COLUMNS>` in the CTE
# `staged`) written by two CTEs: those that exist are updated (most: a parcel's row is
# rewritten at each event), the others inserted. An upsert's conflict path locks the row
# before it updates it (two WAL records, and its speculative insertion's checks); an UPDATE
# only updates. The insert keeps its ON CONFLICT: a row updated by nobody (none, the keys being
# locked) is inserted or updated, never lost.
_SET_STAGED = ", ".join(f"{c} = t.{c}" for c in SHIPMENT_NAMES[3:])
UPDATE_AND_INSERT_SHIPMENTS = f"""
updated AS (
    UPDATE shipments s SET {_SET_STAGED}, updated_at = now()
    FROM staged t
    WHERE s.carrier = t.carrier AND s.tracking_number = t.tracking_number
        AND s.generation = t.generation
    RETURNING s.carrier, s.tracking_number, s.generation
),
written AS (
    INSERT INTO shipments (carrier, tracking_number, {SHIPMENT_COLUMNS}, updated_at)
    SELECT carrier, tracking_number, {SHIPMENT_COLUMNS}, now() FROM staged t
    WHERE NOT EXISTS (
        SELECT FROM updated u WHERE u.carrier = t.carrier
            AND u.tracking_number = t.tracking_number AND u.generation = t.generation
    )
    ON CONFLICT (carrier, tracking_number, generation)
        DO UPDATE SET {set_excluded(_SHIPMENT_UPDATES)}
)"""  # noqa: S608 - constant column lists

SHRINK_SHIPMENTS = """
DELETE FROM shipments s
USING unnest($1::text[], $2::text[], $3::integer[]) AS k (carrier, tracking_number, keep)
WHERE s.carrier = k.carrier AND s.tracking_number = k.tracking_number AND s.generation > k.keep
"""

LINK_COLUMNS = (
    "order_id", "carrier", "tracking_number", "position", "state", "service", "shipped_at",
    "anchor_at", "items", "generation",
)  # fmt: skip
LINK_TYPES = (
    "bigint", "text", "text", "integer", "text", "text", "timestamptz", "timestamptz", "jsonb",
    "integer",
)  # fmt: skip
INSERT_LINKS = f"""
INSERT INTO order_shipments ({", ".join(LINK_COLUMNS)})
{from_json("$1", LINK_TYPES)}
"""

RELINK = """
UPDATE order_shipments l SET generation = u.generation
FROM unnest($1::bigint[], $2::text[], $3::text[], $4::integer[])
    AS u (order_id, carrier, tracking_number, generation)
WHERE l.order_id = u.order_id AND l.carrier = u.carrier AND l.tracking_number = u.tracking_number
"""

# The parcels of each order ($1): link, items and the linked generation's status.
ORDER_SHIPMENTS = """
SELECT k.order_id, l.state, l.items::text, l.status, coalesce(l.action_required, false),
    l.carrier, l.tracking_number, l.generation
FROM unnest($1::bigint[]) AS k (order_id),
LATERAL (
    SELECT l.state, l.items, s.status, s.action_required, l.carrier, l.tracking_number,
        l.generation
    FROM order_shipments l
    LEFT JOIN shipments s ON s.carrier = l.carrier AND s.tracking_number = l.tracking_number
        AND s.generation = l.generation
    WHERE l.order_id = k.order_id OFFSET 0
) AS l
"""

# The batch's shipments written in one round trip: the changed generations ($1, rows of
# SHIPMENT_TYPES), the new order links ($2, rows of LINK_TYPES), every generation they touch
# and the others to judge again ($3: rows of carrier, tracking number, generation) marked due
# for the monitor; and ORDER_SHIPMENTS of the orders it changes ($4, locked by LOAD_AND_LOCK),
# as they were before this statement (the caller adds what it writes).
WRITE_SHIPMENTS = f"""
WITH staged AS ({from_json("$1", SHIPMENT_TYPES, SHIPMENT_NAMES)}),
{UPDATE_AND_INSERT_SHIPMENTS},
linked AS ({INSERT_LINKS.replace("$1", "$2")} RETURNING carrier, tracking_number, generation),
due AS ({
    mark_due_from(
        "SELECT carrier, tracking_number, generation FROM staged "
        "UNION SELECT carrier, tracking_number, generation FROM linked "
        f"UNION {from_json('$3', ('text', 'text', 'integer'))}"
    )
})
{ORDER_SHIPMENTS.replace("$1", "$4")}"""  # noqa: S608 - constant text

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
