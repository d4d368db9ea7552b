-- The console's own tables (no other service reads them; they learn merchants from merchants.v1).
CREATE TABLE console_merchants (
    merchant_id   text PRIMARY KEY,
    revision      bigint NOT NULL DEFAULT 0,
    active        boolean NOT NULL DEFAULT true,
    branding      jsonb NOT NULL,
    notifications jsonb NOT NULL DEFAULT '{}'::jsonb,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE console_users (
    user_id        bigserial PRIMARY KEY,
    merchant_id    text NOT NULL REFERENCES console_merchants,
    email          text NOT NULL,
    role           text NOT NULL CHECK (role IN ('owner', 'staff')),
    password_hash  text NOT NULL,
    totp_secret    text,            -- set once enrolment is confirmed
    totp_last_step bigint,          -- the last accepted time step (no replay)
    created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX console_users_email ON console_users (lower(email));

CREATE TABLE console_recovery_codes (
    user_id bigint NOT NULL REFERENCES console_users ON DELETE CASCADE,
    digest  text NOT NULL,
    used_at timestamptz,
    PRIMARY KEY (user_id, digest)
);

-- Only the SHA-256 of the cookie's id is stored; `secret` derives the CSRF token.
CREATE TABLE console_sessions (
    digest        text PRIMARY KEY,
    user_id       bigint NOT NULL REFERENCES console_users ON DELETE CASCADE,
    secret        text NOT NULL,
    authenticated boolean NOT NULL,
    pending_totp  text,             -- a secret being enrolled, not yet confirmed
    created_at    timestamptz NOT NULL,
    last_seen_at  timestamptz NOT NULL
);
CREATE INDEX console_sessions_user ON console_sessions (user_id);

-- Failed sign-ins per subject ('account:<email>' or 'client:<address>'), shared by every
-- console process.
CREATE TABLE console_login_failures (
    subject     text NOT NULL,
    failed_at   timestamptz NOT NULL
);
CREATE INDEX console_login_failures_subject ON console_login_failures (subject, failed_at);

CREATE TABLE console_api_keys (
    key_id      text PRIMARY KEY,
    merchant_id text NOT NULL REFERENCES console_merchants,
    label       text NOT NULL,
    sha256      text NOT NULL UNIQUE,
    prefix      text NOT NULL,
    internal    boolean NOT NULL DEFAULT false,  -- the console's own key for the merchant APIs
    plaintext   text,                            -- kept for the internal key only
    valid_from  timestamptz NOT NULL,
    valid_until timestamptz,
    revoked_at  timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX console_api_keys_merchant ON console_api_keys (merchant_id);

CREATE TABLE console_webhooks (
    endpoint_id text PRIMARY KEY,
    merchant_id text NOT NULL REFERENCES console_merchants,
    url         text NOT NULL,
    events      text[] NOT NULL,
    secrets     text[] NOT NULL,   -- newest first; sealed before they leave the console
    active      boolean NOT NULL DEFAULT true,
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE console_logos (
    merchant_id  text PRIMARY KEY REFERENCES console_merchants,
    content_type text NOT NULL,
    body         bytea NOT NULL,
    digest       text NOT NULL,
    updated_at   timestamptz NOT NULL
);

CREATE TABLE console_audit (
    audit_id    bigserial PRIMARY KEY,
    merchant_id text,
    user_id     bigint,
    action      text NOT NULL,
    detail      jsonb NOT NULL DEFAULT '{}'::jsonb,
    at          timestamptz NOT NULL
);
CREATE INDEX console_audit_merchant ON console_audit (merchant_id, at DESC);
