-- Shopper lookup (query/sql.py LOOKUP): order numbers match without case ('a-1042' finds
-- 'A-1042'), and a parcel's tracking number finds its order; both within one merchant.
CREATE INDEX IF NOT EXISTS orders_lookup_any_case ON orders (merchant_id, lower(order_number));
CREATE INDEX IF NOT EXISTS order_shipments_tracking_number ON order_shipments (tracking_number);
