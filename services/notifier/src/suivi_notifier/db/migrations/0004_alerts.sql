-- Alerts from tracking.alerts.v1 (stalled / late / recovered episodes), one row per alert event:
-- a redelivered or re-published alert (same deterministic event_id) is the same row. The alert
-- worker plans each one once (planned_at): shopper messages (ledger rows in
-- notifier_deliveries, trigger '<kind>:<episode_id>'), merchant webhooks and digest items.
CREATE TABLE notifier_alerts (
    event_id     uuid        PRIMARY KEY,
    episode_id   uuid        NOT NULL,
    kind         text        NOT NULL CHECK (kind IN ('stalled', 'late', 'recovered')),
    shipment_key text        NOT NULL,
    detected_at  timestamptz NOT NULL,
    payload      text        NOT NULL,  -- the ShipmentAlert as validated (JSON)
    received_at  timestamptz NOT NULL,
    planned_at   timestamptz,
    outcome      text                   -- what the shopper side came to (metrics' words)
);
CREATE INDEX notifier_alerts_unplanned
    ON notifier_alerts (detected_at) WHERE planned_at IS NULL;
CREATE INDEX notifier_alerts_episode ON notifier_alerts (episode_id);

-- Merchant webhooks: one row per (merchant, alert), written before the POST; also the retry
-- queue (a claimed row's next_attempt_at is its lease, as in notifier_deliveries).
CREATE TABLE notifier_merchant_webhooks (
    id              bigserial   PRIMARY KEY,
    merchant_id     text        NOT NULL,
    alert_event_id  uuid        NOT NULL REFERENCES notifier_alerts (event_id),
    state           text        NOT NULL DEFAULT 'pending'
        CHECK (state IN ('pending', 'sent', 'failed')),
    attempts        integer     NOT NULL DEFAULT 0,
    next_attempt_at timestamptz,
    last_error      text,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    sent_at         timestamptz,
    UNIQUE (merchant_id, alert_event_id)
);
CREATE INDEX notifier_merchant_webhooks_due
    ON notifier_merchant_webhooks (next_attempt_at) WHERE state = 'pending';

-- Merchant email digests: at most one per merchant and period (period_start: the start of the
-- digest_minutes window in which it was made); it claims its items in the transaction that
-- creates it, so an alert is in one digest at most, and a digest is retried until sent.
CREATE TABLE notifier_digests (
    id              bigserial   PRIMARY KEY,
    merchant_id     text        NOT NULL,
    period_start    timestamptz NOT NULL,
    items           integer     NOT NULL,
    state           text        NOT NULL DEFAULT 'pending'
        CHECK (state IN ('pending', 'sent', 'failed')),
    attempts        integer     NOT NULL DEFAULT 0,
    next_attempt_at timestamptz,
    last_error      text,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    sent_at         timestamptz,
    UNIQUE (merchant_id, period_start)
);
CREATE INDEX notifier_digests_due ON notifier_digests (next_attempt_at) WHERE state = 'pending';

-- Alerts waiting for (digest_id NULL) or listed in (digest_id) a merchant's digest.
CREATE TABLE notifier_digest_items (
    merchant_id    text        NOT NULL,
    alert_event_id uuid        NOT NULL REFERENCES notifier_alerts (event_id),
    added_at       timestamptz NOT NULL,
    digest_id      bigint      REFERENCES notifier_digests (id),
    PRIMARY KEY (merchant_id, alert_event_id)
);
CREATE INDEX notifier_digest_items_waiting
    ON notifier_digest_items (merchant_id, added_at) WHERE digest_id IS NULL;
CREATE INDEX notifier_digest_items_digest ON notifier_digest_items (digest_id);
