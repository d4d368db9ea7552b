-- The ledger: one row per (shipment, trigger, channel), written before sending; also the retry
-- queue (state 'pending', next_attempt_at). A claimed row's next_attempt_at is its lease.
CREATE TABLE notifier_deliveries (
    id                bigserial   PRIMARY KEY,
    shipment_key      text        NOT NULL,
    trigger           text        NOT NULL,
    channel           text        NOT NULL,
    merchant_id       text        NOT NULL,
    order_number      text        NOT NULL,
    carrier           text        NOT NULL,
    tracking_number   text        NOT NULL,
    source_event_id   uuid        NOT NULL,
    event_occurred_at timestamptz NOT NULL,
    state             text        NOT NULL DEFAULT 'pending'
        CHECK (state IN ('pending', 'sent', 'failed', 'superseded', 'skipped')),
    attempts          integer     NOT NULL DEFAULT 0,
    next_attempt_at   timestamptz,
    last_error        text,
    provider_id       text,
    push_done         bigint[]    NOT NULL DEFAULT '{}',
    created_at        timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL,
    sent_at           timestamptz,
    UNIQUE (shipment_key, trigger, channel)
);
CREATE INDEX notifier_deliveries_due
    ON notifier_deliveries (next_attempt_at) WHERE state = 'pending';

-- Transactional outbox of NotificationResult records for notifications.v1.
CREATE TABLE notifier_outbox (
    id         bigserial   PRIMARY KEY,
    key        text        NOT NULL,
    payload    text        NOT NULL,
    created_at timestamptz NOT NULL
);
