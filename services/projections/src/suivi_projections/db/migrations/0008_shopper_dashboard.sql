-- The shopper's dashboard (web/dashboard, docs/dashboard.md): sign-in requests waiting to be
-- mailed (an outbox, so the answer on screen never waits for the mail nor tells whether orders
-- exist), single-use sign-in links, sessions, and consents to list every shop's orders.
-- Link and session ids are stored as SHA-256 digests only; rows past their end mean nothing and
-- the API deletes them now and then.

-- An email's orders, within a shop or across shops (ingest validated the address; its case and
-- spaces are not trusted).
CREATE INDEX IF NOT EXISTS orders_customer_email
    ON orders (lower(btrim(customer_email)), placed_at DESC);

CREATE TABLE dashboard_outbox (
    request_id  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    merchant_id text NOT NULL,
    email       text NOT NULL,  -- normalised; the row is deleted once mailed or dropped
    language    text NOT NULL,
    attempts    integer NOT NULL DEFAULT 0,
    due_at      timestamptz NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX dashboard_outbox_due ON dashboard_outbox (due_at);

CREATE TABLE dashboard_links (
    link_digest bytea PRIMARY KEY,  -- SHA-256 of the link's random id, never the link
    merchant_id text NOT NULL,
    email       text NOT NULL,
    email_hash  bytea NOT NULL,     -- keyed hash the link's signature covers
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz         -- single use: set once, by `UPDATE … WHERE used_at IS NULL`
);
CREATE INDEX dashboard_links_expires ON dashboard_links (expires_at);

CREATE TABLE dashboard_sessions (
    session_digest bytea PRIMARY KEY,  -- SHA-256 of the cookie's random id
    merchant_id    text NOT NULL,
    email          text NOT NULL,
    email_hash     bytea NOT NULL,
    seen_at        timestamptz NOT NULL,  -- idle timeout from here
    expires_at     timestamptz NOT NULL   -- absolute end
) WITH (fillfactor = 80);  -- seen_at is updated in place
CREATE INDEX dashboard_sessions_expires ON dashboard_sessions (expires_at);

-- Per email (its keyed hash): list the orders of every shop this Suivi serves. No row: off.
CREATE TABLE dashboard_consents (
    email_hash bytea PRIMARY KEY,
    granted_at timestamptz NOT NULL
);
