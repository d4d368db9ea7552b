-- Claims: every parcel's timeline (the evidence), claims, their thread and photos; the outbox
-- now says which stream (topic) each event goes to.

ALTER TABLE aftersales_outbox ADD COLUMN stream text NOT NULL DEFAULT 'returns';

-- Every status event of every parcel, once (its id is the checkpoint's).
CREATE TABLE aftersales_parcel_events (
    event_id    uuid PRIMARY KEY,
    parcel_key  text NOT NULL,
    occurred_at timestamptz NOT NULL,
    status      text NOT NULL,
    location    jsonb,
    message     text
);
CREATE INDEX aftersales_parcel_events_parcel ON aftersales_parcel_events (parcel_key, occurred_at);

CREATE TABLE aftersales_claims (
    merchant_id       text NOT NULL,
    claim_id          text NOT NULL,
    order_number      text NOT NULL,
    parcel_key        text NOT NULL,
    carrier           text NOT NULL,
    tracking_number   text NOT NULL,
    reason            text NOT NULL,
    state             text NOT NULL,
    locale            text NOT NULL,
    request_key       text NOT NULL,
    opened_at         timestamptz NOT NULL,
    messages          integer NOT NULL DEFAULT 0,
    photos            integer NOT NULL DEFAULT 0,
    first_response_at timestamptz,
    resolved_at       timestamptz,
    closed_at         timestamptz,
    outcome           text,
    outcome_reason    text,
    PRIMARY KEY (merchant_id, claim_id),
    UNIQUE (merchant_id, order_number, request_key)
);
-- One open claim per parcel and reason.
CREATE UNIQUE INDEX aftersales_claims_open ON aftersales_claims (merchant_id, parcel_key, reason)
    WHERE state IN ('waiting_merchant', 'waiting_shopper');
CREATE INDEX aftersales_claims_order ON aftersales_claims (merchant_id, order_number);

CREATE TABLE aftersales_claim_messages (
    merchant_id text NOT NULL,
    claim_id    text NOT NULL,
    seq         integer NOT NULL,
    author      text NOT NULL,
    body        text NOT NULL,
    created_at  timestamptz NOT NULL,
    PRIMARY KEY (merchant_id, claim_id, seq)
);

-- Photos as stored: re-encoded, without any metadata (EXIF, GPS) the upload carried.
CREATE TABLE aftersales_claim_photos (
    merchant_id text NOT NULL,
    claim_id    text NOT NULL,
    n           integer NOT NULL,
    media_type  text NOT NULL,
    data        bytea NOT NULL,
    PRIMARY KEY (merchant_id, claim_id, n)
);
