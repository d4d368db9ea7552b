"""The read side's SQL: orders, their shipments and timelines, lookup, merchant pages.

Every query reads what the write side stored (write/sql.py); parameters are always bound.
"""

from suivi_projections.query.estimates import with_estimates

_ORDER = """
SELECT order_id, merchant_id, order_number, placed_at, updated_at, status, cancelled, locale,
    timezone, status_token, share_token, line_items::text, customer_email, customer_phone,
    customer_name, shipping_address::text, promised_delivery_date
FROM orders
"""
ORDER_BY_STATUS_TOKEN = _ORDER + "WHERE status_token = $1"
ORDER_BY_SHARE_TOKEN = _ORDER + "WHERE share_token = $1"
ORDER_BY_NUMBER = _ORDER + "WHERE merchant_id = $1 AND order_number = $2"

_SHIPMENT = """
SELECT l.carrier, l.tracking_number, l.generation, l.state, l.items::text, s.status,
    s.substatus, coalesce(s.action_required, false) AS action_required, s.reason,
    s.last_event_at, s.delivered_at, le.message AS last_message,
    le.location::text AS last_location, i.predicted_earliest, i.predicted_latest,
    i.predicted_samples, i.stall_episode IS NOT NULL AS stalled,
    i.late_episode IS NOT NULL AS late, ee.estimated_delivery::text AS estimated_delivery
FROM order_shipments l
LEFT JOIN shipments s ON s.carrier = l.carrier AND s.tracking_number = l.tracking_number
    AND s.generation = l.generation
LEFT JOIN shipment_events le ON le.event_id = s.last_event_id
LEFT JOIN shipment_events ee ON ee.event_id = s.eta_event_id
LEFT JOIN shipment_insights i ON i.carrier = l.carrier AND i.tracking_number = l.tracking_number
    AND i.generation = l.generation
"""
_SHIPMENT = with_estimates(_SHIPMENT)
ORDER_SHIPMENTS = _SHIPMENT + "WHERE l.order_id = $1 ORDER BY l.position"
# A merchant's own parcel: only through its orders' links (never another shop's shipment).
SHIPMENT_FOR_MERCHANT = (
    _SHIPMENT.replace(
        "AS estimated_delivery\nFROM order_shipments l\n",
        "AS estimated_delivery, o.line_items::text AS line_items\n"
        "FROM order_shipments l\nJOIN orders o USING (order_id)\n",
    )
    + "WHERE o.merchant_id = $1 AND l.carrier = $2 AND l.tracking_number = $3\n"
    + "ORDER BY l.generation DESC, o.placed_at DESC LIMIT 1"
)
# The newest generation, with the newest order linked to it (if any): a right join on links.
SHIPMENT = """
SELECT s.carrier, s.tracking_number, s.generation, coalesce(l.state, 'unlinked') AS state,
    coalesce(l.items::text, '[]') AS items, o.line_items::text AS line_items, s.status,
    s.substatus, s.action_required, s.reason, s.last_event_at, s.delivered_at,
    le.message AS last_message, le.location::text AS last_location, i.predicted_earliest,
    i.predicted_latest, i.predicted_samples, i.stall_episode IS NOT NULL AS stalled,
    i.late_episode IS NOT NULL AS late, ee.estimated_delivery::text AS estimated_delivery
FROM shipments s
LEFT JOIN LATERAL (
    SELECT l.state, l.items, l.order_id FROM order_shipments l JOIN orders o USING (order_id)
    WHERE l.carrier = s.carrier AND l.tracking_number = s.tracking_number
        AND l.generation = s.generation
    ORDER BY o.placed_at DESC, o.order_id DESC LIMIT 1
) l ON true
LEFT JOIN orders o ON o.order_id = l.order_id
LEFT JOIN shipment_events le ON le.event_id = s.last_event_id
LEFT JOIN shipment_events ee ON ee.event_id = s.eta_event_id
LEFT JOIN shipment_insights i ON i.carrier = s.carrier AND i.tracking_number = s.tracking_number
    AND i.generation = s.generation
WHERE s.carrier = $1 AND s.tracking_number = $2
ORDER BY s.generation DESC LIMIT 1
"""
SHIPMENT = with_estimates(SHIPMENT)
_TIMELINE = """
SELECT s.carrier, s.tracking_number, s.generation, e.event_id, e.occurred_at, e.status,
    e.substatus, e.message, e.location::text, e.action_required
FROM shipments s
JOIN shipment_events e ON e.carrier = s.carrier AND e.tracking_number = s.tracking_number
    AND (e.occurred_at, e.event_id) >= (s.first_event_at, s.first_event_id)
    AND (e.occurred_at, e.event_id) <= (s.last_event_at, s.last_event_id)
"""
ORDER_TIMELINES = (
    _TIMELINE
    + """JOIN order_shipments l ON l.carrier = s.carrier
    AND l.tracking_number = s.tracking_number AND l.generation = s.generation
WHERE l.order_id = $1 ORDER BY e.occurred_at DESC, e.event_id DESC"""
)
SHIPMENT_TIMELINE = (
    _TIMELINE
    + """WHERE s.carrier = $1 AND s.tracking_number = $2 AND s.generation = $3
ORDER BY e.occurred_at DESC, e.event_id DESC"""
)
# $2: the order number without a leading '#', matched without case; else $3 (the same text as a
# normalized tracking number) among the merchant's parcels. An order number wins; then newest.
LOOKUP = """
SELECT customer_email, status_token FROM (
    SELECT o.customer_email, o.status_token, 0 AS rank, o.placed_at FROM orders o
    WHERE o.merchant_id = $1 AND lower(o.order_number) = lower($2)
    UNION ALL
    SELECT o.customer_email, o.status_token, 1 AS rank, o.placed_at
    FROM order_shipments l JOIN orders o USING (order_id)
    WHERE o.merchant_id = $1 AND l.tracking_number = $3
) found ORDER BY rank, placed_at DESC LIMIT 1
"""
# The stored status raised to needs_attention while an active parcel of an order on its way
# has an open stalled or late episode, or is trending late (issue 21) (the same rule in Python:
# query.readmodel._watched with domain.orders.with_watch).
_STATUS = """CASE WHEN o.status IN ('partially_shipped', 'shipped', 'in_transit',
        'out_for_delivery', 'partially_delivered')
    AND EXISTS (SELECT 1 FROM order_shipments l JOIN shipment_insights i
        ON i.carrier = l.carrier AND i.tracking_number = l.tracking_number
        AND i.generation = l.generation
        WHERE l.order_id = o.order_id AND l.state = 'active'
            AND (i.stall_episode IS NOT NULL OR i.late_episode IS NOT NULL
                OR i.trending_late))
    THEN 'needs_attention' ELSE o.status END"""
# (S608: only constant fragments are joined; every value stays a bound parameter.)
_PAGE = (
    "\nSELECT o.merchant_id, o.order_number, o.placed_at, o.updated_at, "  # noqa: S608
    + _STATUS
    + """ AS status,
    (SELECT count(*) FROM order_shipments l
     WHERE l.order_id = o.order_id AND l.state = 'active') AS shipments
FROM orders o
WHERE o.merchant_id = $1 AND (o.placed_at, o.order_number) < ($2, $3)
"""
)
_PAGE_ORDER = " ORDER BY o.placed_at DESC, o.order_number DESC LIMIT $4"
ORDERS_PAGE = _PAGE + _PAGE_ORDER
ORDERS_PAGE_BY_STATUS = _PAGE + " AND (" + _STATUS + ") = $5" + _PAGE_ORDER
