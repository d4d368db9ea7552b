"""The PostgreSQL NOTIFY channel the write side and the monitor signal and the API listens on."""

# PostgreSQL NOTIFY channel: payload is the order's status token whenever anything the order's
# page shows changed (committed with the change, so listeners read the new state).
ORDER_CHANGED_CHANNEL = "suivi_order_changed"
