-- Ids of the order snapshots the projector has applied: a redelivered one is skipped. (A
-- status event is recorded by its timeline row, `shipment_events`, keyed by its event id.)
CREATE TABLE processed_events (
    event_id     uuid PRIMARY KEY,
    topic        text NOT NULL,
    processed_at timestamptz NOT NULL DEFAULT now()
);
