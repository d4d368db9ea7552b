-- The after-sales tables: orders and parcels as learnt from the topics, policies, returns, and
-- the outbox of commerce.returns.v1 (written in the same transaction as the change it tells).

-- One row per order, from commerce.orders.v1: the newest snapshot and fulfilment events
-- (suivi_schemas.order_state), and what the return pages need of their merge.
CREATE TABLE aftersales_orders (
    merchant_id   text NOT NULL,
    order_number  text NOT NULL,
    -- SHA-256 of the private page token: found by an index without the token in the database.
    token_digest  bytea NOT NULL,
    snapshot      jsonb,
    fulfillments  jsonb NOT NULL DEFAULT '{}',
    cancelled     boolean NOT NULL DEFAULT false,
    placed_at     timestamptz,
    locale        text NOT NULL DEFAULT 'en',
    lines         jsonb NOT NULL DEFAULT '[]',
    parcel_keys   text[] NOT NULL DEFAULT '{}',
    PRIMARY KEY (merchant_id, order_number)
);
CREATE UNIQUE INDEX aftersales_orders_token ON aftersales_orders (token_digest);

-- Facts of every parcel seen on tracking.status.v1 that after-sales cares about (outbound
-- parcels of known orders and return parcels), merged order-independently (domain/parcels.py).
CREATE TABLE aftersales_parcels (
    parcel_key          text PRIMARY KEY,
    first_scan_at       timestamptz,
    first_scan_event    uuid,
    first_scan_location jsonb,
    last_scan_at        timestamptz,
    delivered_at        timestamptz
);

CREATE TABLE aftersales_policies (
    merchant_id text PRIMARY KEY,
    policy      jsonb NOT NULL,
    updated_at  timestamptz NOT NULL
);

CREATE TABLE aftersales_returns (
    merchant_id      text NOT NULL,
    return_id        text NOT NULL,
    order_number     text NOT NULL,
    -- The form's one-time key: the same submission twice is the same return.
    request_key      text NOT NULL,
    state            text NOT NULL,
    method           text NOT NULL,
    locale           text NOT NULL,
    comment          text,
    items            jsonb NOT NULL,
    requested_at     timestamptz NOT NULL,
    approved_at      timestamptz,
    dropped_off_at   timestamptz,
    received_at      timestamptz,
    resolved_at      timestamptz,
    parcel_carrier   text,
    parcel_number    text,
    parcel_key       text,
    deposit_at       timestamptz,
    deposit_location jsonb,
    rejection_reason text,
    amount           numeric(14, 2),
    currency         text,
    reminded_at      timestamptz,
    due_at           timestamptz,
    updated_at       timestamptz NOT NULL,
    PRIMARY KEY (merchant_id, return_id),
    UNIQUE (merchant_id, order_number, request_key)
);
CREATE INDEX aftersales_returns_parcel ON aftersales_returns (parcel_key) WHERE parcel_key IS NOT NULL;
-- The scheduler claims due rows on this index (FOR UPDATE SKIP LOCKED).
CREATE INDEX aftersales_returns_due ON aftersales_returns (due_at) WHERE due_at IS NOT NULL;
CREATE INDEX aftersales_returns_requested ON aftersales_returns (merchant_id, requested_at);
CREATE INDEX aftersales_returns_order ON aftersales_returns (merchant_id, order_number);

-- Events to publish on commerce.returns.v1, in the order they were written; the relay marks
-- them published once Kafka acknowledged them. The event id is the transition's: written
-- twice, it is one row.
CREATE TABLE aftersales_outbox (
    seq          bigserial PRIMARY KEY,
    event_id     uuid NOT NULL UNIQUE,
    record_key   text NOT NULL,
    body         bytea NOT NULL,
    published_at timestamptz
);
CREATE INDEX aftersales_outbox_pending ON aftersales_outbox (seq) WHERE published_at IS NULL;
