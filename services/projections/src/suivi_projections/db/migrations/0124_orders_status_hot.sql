-- The projector rewrites orders.status with every change of an order's parcels (issue 22): with
-- `status` in an index, each such update writes a new entry in all eight indexes of `orders`;
-- without it, the update is HOT (heap only). No query reads this index: the merchant's
-- page filtered by status compares a computed status (needs_attention), so it walks
-- orders_merchant_page, which has the same order.
DROP INDEX IF EXISTS orders_merchant_status_page;
