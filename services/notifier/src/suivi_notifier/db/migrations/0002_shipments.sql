-- Each shipment's notification state, from tracking.status.v1 (kept whether or not its order
-- is known yet). pending_*: the trigger waiting for its debounce window to end (due_at).
CREATE TABLE notifier_shipments (
    shipment_key        text        PRIMARY KEY,
    carrier             text        NOT NULL,
    tracking_number     text        NOT NULL,
    latest_status       text        NOT NULL,
    latest_occurred_at  timestamptz NOT NULL,
    latest_event_id     uuid        NOT NULL,
    reached             text[]      NOT NULL DEFAULT '{}',
    pending_trigger     text,
    pending_event_id    uuid,
    pending_occurred_at timestamptz,
    due_at              timestamptz,
    updated_at          timestamptz NOT NULL,
    CHECK ((pending_trigger IS NULL) = (due_at IS NULL))
);
CREATE INDEX notifier_shipments_due ON notifier_shipments (due_at) WHERE due_at IS NOT NULL;
