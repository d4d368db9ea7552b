-- The newest snapshot of each order (columns for reading, `snapshot` as received for merging
-- with fulfilment events), its aggregate status and its two page tokens (derived with
-- SUIVI_TOKEN_KEY, see suivi_infra.tokens; written with the row, never updated).
CREATE TABLE orders (
    order_id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    merchant_id      text NOT NULL,
    order_number     text NOT NULL,
    event_id         uuid NOT NULL,
    source           text NOT NULL,
    placed_at        timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL,
    cancelled        boolean NOT NULL,
    status           text NOT NULL,
    customer_email   text,
    customer_phone   text,
    customer_name    text,
    locale           text NOT NULL,
    timezone         text NOT NULL,
    notify_email     boolean NOT NULL,
    notify_sms       boolean NOT NULL,
    notify_push      boolean NOT NULL,
    shipping_address jsonb,
    line_items       jsonb NOT NULL,
    snapshot         jsonb NOT NULL,
    status_token     text NOT NULL UNIQUE,
    share_token      text NOT NULL UNIQUE,
    created_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (merchant_id, order_number)
) WITH (fillfactor = 90);
-- Keyset pagination of a merchant's orders, newest placed first, optionally by status.
CREATE INDEX orders_merchant_page ON orders (merchant_id, placed_at DESC, order_number DESC);
CREATE INDEX orders_merchant_status_page
    ON orders (merchant_id, status, placed_at DESC, order_number DESC);

-- The newest fulfilment event per fulfilment (Shopify), kept until and after the order's
-- snapshot arrives: the order's parcels are the merge of both (suivi_schemas.order_state).
CREATE TABLE order_fulfillments (
    merchant_id    text NOT NULL,
    order_number   text NOT NULL,
    fulfillment_id text NOT NULL,
    event_id       uuid NOT NULL,
    updated_at     timestamptz NOT NULL,
    event          jsonb NOT NULL,
    PRIMARY KEY (merchant_id, order_number, fulfillment_id)
);

-- Order ↔ shipment links with the merchant's items per parcel; `generation` is the parcel of
-- the tracking number this order means (see domain.py).
CREATE TABLE order_shipments (
    order_id        bigint NOT NULL REFERENCES orders ON DELETE CASCADE,
    carrier         text NOT NULL,
    tracking_number text NOT NULL,
    position        integer NOT NULL,
    state           text NOT NULL CHECK (state IN ('active', 'cancelled')),
    service         text,
    shipped_at      timestamptz,
    anchor_at       timestamptz NOT NULL,
    items           jsonb NOT NULL,
    generation      integer NOT NULL,
    PRIMARY KEY (order_id, carrier, tracking_number)
);
CREATE INDEX order_shipments_shipment ON order_shipments (carrier, tracking_number, generation);
