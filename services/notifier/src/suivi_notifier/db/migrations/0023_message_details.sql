-- What a message says besides the status (issue 23): where the carrier last saw the parcel
-- (its latest event's place, "Lyon, FR") and what the parcel holds (the order's line items
-- shipped in it: [{"title": …, "quantity": …}]).
ALTER TABLE notifier_shipments ADD COLUMN IF NOT EXISTS latest_place text;
ALTER TABLE notifier_order_shipments
    ADD COLUMN IF NOT EXISTS items jsonb NOT NULL DEFAULT '[]'::jsonb;
