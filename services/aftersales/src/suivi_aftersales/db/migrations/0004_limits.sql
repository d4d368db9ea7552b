-- Fixed-window counters of the shopper's form submissions, shared by every after-sales process
-- (keys are SHA-256 digests: no page token or address is stored).
CREATE TABLE aftersales_limits (
    key     bytea PRIMARY KEY,
    hits    integer NOT NULL,
    ends_at timestamptz NOT NULL
);
