-- Returns and claims (commerce.returns.v1, commerce.claims.v1), one row per event: a redelivered
-- or re-published event (same deterministic event_id) is the same row. The after-sales worker
-- plans each one once (planned_at) in journey order: shopper messages are ledger rows in
-- notifier_deliveries (shipment_key '<stream>:<merchant>:<number>', trigger '<stream>.<kind>').
CREATE TABLE notifier_aftersales_events (
    event_id     uuid        PRIMARY KEY,
    stream       text        NOT NULL CHECK (stream IN ('return', 'claim')),
    subject      text        NOT NULL,  -- '<stream>:<merchant>:<number>'
    merchant_id  text        NOT NULL,
    order_number text        NOT NULL,
    occurred_at  timestamptz NOT NULL,
    step         integer     NOT NULL,
    payload      text        NOT NULL,  -- the ReturnEvent or ClaimEvent as validated (JSON)
    received_at  timestamptz NOT NULL,
    planned_at   timestamptz,
    outcome      text
);
CREATE INDEX notifier_aftersales_events_unplanned
    ON notifier_aftersales_events (occurred_at) WHERE planned_at IS NULL;
CREATE INDEX notifier_aftersales_events_subject
    ON notifier_aftersales_events (subject, occurred_at, step) WHERE planned_at IS NOT NULL;

-- Merchant webhooks of returns and claims: one row per (merchant, event), written in the
-- consumed batch's transaction, claimed and retried as notifier_merchant_webhooks are.
CREATE TABLE notifier_aftersales_webhooks (
    id              bigserial   PRIMARY KEY,
    merchant_id     text        NOT NULL,
    event_id        uuid        NOT NULL REFERENCES notifier_aftersales_events (event_id),
    state           text        NOT NULL DEFAULT 'pending'
        CHECK (state IN ('pending', 'sent', 'failed')),
    attempts        integer     NOT NULL DEFAULT 0,
    next_attempt_at timestamptz,
    last_error      text,
    leased          boolean     NOT NULL DEFAULT false,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    sent_at         timestamptz,
    UNIQUE (merchant_id, event_id)
);
CREATE INDEX notifier_aftersales_webhooks_due
    ON notifier_aftersales_webhooks (next_attempt_at) WHERE state = 'pending';
CREATE INDEX notifier_aftersales_webhooks_leased
    ON notifier_aftersales_webhooks (next_attempt_at) WHERE state = 'pending' AND leased;
