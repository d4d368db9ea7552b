-- Timeline: one row per carrier checkpoint, whatever generation it belongs to. A generation's
-- timeline is the key's rows between its first and last (occurred_at, event_id).
CREATE TABLE shipment_events (
    event_id           uuid PRIMARY KEY,
    carrier            text NOT NULL,
    tracking_number    text NOT NULL,
    occurred_at        timestamptz NOT NULL,
    status             text NOT NULL,
    substatus          text,
    action_required    boolean NOT NULL,
    reason             text,
    provider           text NOT NULL,
    raw_code           text,
    message            text,
    location           jsonb,
    estimated_delivery jsonb,
    eta_earliest       date,
    eta_latest         date,
    eta_source         text,
    received_at        timestamptz NOT NULL,
    raw_event_id       uuid NOT NULL
);
CREATE INDEX shipment_events_timeline
    ON shipment_events (carrier, tracking_number, occurred_at, event_id);

-- Current state of each generation (parcel) of a tracking number; derived from its events
-- (and from the orders' anchors for a generation no carrier event has reached yet).
CREATE TABLE shipments (
    carrier         text NOT NULL,
    tracking_number text NOT NULL,
    generation      integer NOT NULL CHECK (generation >= 1),
    event_count     integer NOT NULL,
    first_event_id  uuid,
    first_event_at  timestamptz,
    last_event_id   uuid,
    last_event_at   timestamptz,
    status          text,
    substatus       text,
    action_required boolean NOT NULL,
    reason          text,
    eta_event_id    uuid,
    eta_earliest    date,
    eta_latest      date,
    eta_source      text,
    delivered_at    timestamptz,
    terminal_at     timestamptz,  -- its latest terminal event: a later one after the gap is a new parcel
    updated_at      timestamptz NOT NULL,
    PRIMARY KEY (carrier, tracking_number, generation)
) WITH (fillfactor = 80);  -- room for HOT updates: a row is rewritten at every event
