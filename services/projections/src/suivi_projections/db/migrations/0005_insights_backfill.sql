-- Parcels projected before the monitor existed: each is judged once at its next tick (lane,
-- pickup, prediction, stall/late), then follows its own due time like every other.
INSERT INTO shipment_insights (carrier, tracking_number, generation, due_at)
SELECT carrier, tracking_number, generation, '-infinity'::timestamptz FROM shipments
ON CONFLICT (carrier, tracking_number, generation) DO NOTHING;
