-- The notifier's own recipients model, from commerce.orders.v1 (newest updated_at wins).
CREATE TABLE notifier_orders (
    merchant_id            text        NOT NULL,
    order_number           text        NOT NULL,
    updated_at             timestamptz NOT NULL,
    event_id               uuid        NOT NULL,
    cancelled              boolean     NOT NULL DEFAULT false,
    email                  text,
    phone                  text,
    name                   text,
    locale                 text        NOT NULL DEFAULT 'en',
    timezone               text        NOT NULL DEFAULT 'UTC',
    opt_email              boolean     NOT NULL DEFAULT true,
    opt_sms                boolean     NOT NULL DEFAULT false,
    opt_push               boolean     NOT NULL DEFAULT false,
    -- sha256 of the order's tokens: the push API and unsubscribe links find the order by them.
    status_token_hash      bytea       NOT NULL,
    unsubscribe_token_hash bytea       NOT NULL,
    -- The shopper's own choices (unsubscribe link): merchant snapshots never undo them.
    email_unsubscribed_at  timestamptz,
    sms_unsubscribed_at    timestamptz,
    received_at            timestamptz NOT NULL,
    PRIMARY KEY (merchant_id, order_number)
);
CREATE UNIQUE INDEX notifier_orders_status_token ON notifier_orders (status_token_hash);
CREATE UNIQUE INDEX notifier_orders_unsubscribe_token ON notifier_orders (unsubscribe_token_hash);

-- The parcels of each order, as its newest snapshot lists them.
CREATE TABLE notifier_order_shipments (
    shipment_key    text    NOT NULL,
    merchant_id     text    NOT NULL,
    order_number    text    NOT NULL,
    carrier         text    NOT NULL,
    tracking_number text    NOT NULL,
    active          boolean NOT NULL,
    PRIMARY KEY (shipment_key, merchant_id, order_number),
    FOREIGN KEY (merchant_id, order_number)
        REFERENCES notifier_orders (merchant_id, order_number) ON DELETE CASCADE
);
CREATE INDEX notifier_order_shipments_order
    ON notifier_order_shipments (merchant_id, order_number);

-- Web push subscriptions registered from the status page (the shopper's opt-in to push).
CREATE TABLE notifier_push_subscriptions (
    id           bigserial   PRIMARY KEY,
    merchant_id  text        NOT NULL,
    order_number text        NOT NULL,
    endpoint     text        NOT NULL,
    p256dh       text        NOT NULL,
    auth         text        NOT NULL,
    created_at   timestamptz NOT NULL,
    UNIQUE (merchant_id, order_number, endpoint),
    FOREIGN KEY (merchant_id, order_number)
        REFERENCES notifier_orders (merchant_id, order_number) ON DELETE CASCADE
);
