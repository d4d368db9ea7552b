-- Issue 21: the day the merchant promised the shopper (commerce.orders.v1
-- promised_delivery_date), kept with the order's newest snapshot; NULL when none was promised.
-- The monitor's trending-late rule compares its prediction with the earlier of this day and
-- the carrier's date. Older rows read NULL until their next snapshot.
ALTER TABLE orders ADD COLUMN promised_delivery_date date;
