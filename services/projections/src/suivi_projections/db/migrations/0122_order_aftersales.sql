-- Issue 24: each order's returns and claims for the shopper's dashboard, as the projector reads
-- them on commerce.returns.v1 / commerce.claims.v1 (after-sales owns its tables; this is the
-- projections' own copy). One row per return or claim: its latest version (domain/aftersales.py)
-- — an event whose (stage, step, occurred_at, event_id) is not above the row's changes nothing.
CREATE TABLE order_aftersales (
    merchant_id  text NOT NULL,
    kind         text NOT NULL CHECK (kind IN ('return', 'claim')),
    case_id      text NOT NULL,
    order_number text NOT NULL,
    state        text NOT NULL,
    reason       text,
    is_open      boolean NOT NULL,
    stage        smallint NOT NULL,
    step         integer NOT NULL,
    occurred_at  timestamptz NOT NULL,
    event_id     uuid NOT NULL,
    PRIMARY KEY (merchant_id, kind, case_id)
);
-- The dashboard asks for the open cases of the orders it lists.
CREATE INDEX order_aftersales_open ON order_aftersales (merchant_id, order_number) WHERE is_open;
