-- Shopper lookup attempts, counted per key over a fixed window (suivi_projections.ratelimit):
-- shared by every API process. Keys are HMAC-SHA256 digests: no email, client address or order
-- number is stored. Rows past `ends_at` mean nothing; the API deletes them now and then.
CREATE TABLE lookup_limits (
    key     bytea PRIMARY KEY,
    hits    integer NOT NULL,
    ends_at timestamptz NOT NULL
) WITH (fillfactor = 70);  -- updated in place, often: room for HOT updates
CREATE INDEX lookup_limits_ends_at ON lookup_limits (ends_at);
