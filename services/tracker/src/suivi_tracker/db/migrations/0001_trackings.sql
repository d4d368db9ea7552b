-- One row per parcel Suivi follows, keyed (carrier, normalised tracking number).
CREATE TABLE trackings (
    id              bigserial PRIMARY KEY,
    carrier         text NOT NULL,
    tracking_number text NOT NULL,
    state           text NOT NULL,
    source          text,               -- NULL: no configured source serves the carrier
    mode            text,               -- 'push' | 'poll'
    source_ref      text,               -- the source's own id, to unregister
    candidates      jsonb NOT NULL DEFAULT '[]',  -- ranked detection, when detected
    needs           text[] NOT NULL DEFAULT '{}', -- fields the source asked for (needs_info)
    postal_code     text,
    country         text,
    ship_date       date,
    last_status     text,
    last_event_at   timestamptz,
    promised_date   date,
    terminal_at     timestamptz,
    last_poll_at    timestamptz,
    last_success_at timestamptz,
    last_push_at    timestamptz,
    body_hash       text,
    failures        integer NOT NULL DEFAULT 0,
    last_error      text,
    next_due_at     timestamptz,        -- NULL: nothing to do (final, needs_info, unsupported)
    lease_token     uuid,               -- set while a scheduler instance handles the row
    polls           bigint NOT NULL DEFAULT 0,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (carrier, tracking_number)
);

-- The scheduler's only way in: due rows by time. Partial, so finished trackings cost nothing.
CREATE INDEX trackings_due ON trackings (next_due_at) WHERE next_due_at IS NOT NULL;
-- No index on (state, source): every claim rewrites its rows' index entries (next_due_at
-- changes, so no HOT update), and the metrics' count by state and source every 30 s can scan.

-- Who asked for it: several merchants and orders may follow the same parcel.
CREATE TABLE tracking_links (
    tracking_id  bigint NOT NULL REFERENCES trackings (id) ON DELETE CASCADE,
    merchant_id  text NOT NULL,
    order_number text NOT NULL DEFAULT '',
    title        text,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tracking_id, merchant_id, order_number)
);
CREATE INDEX tracking_links_merchant ON tracking_links (merchant_id, tracking_id);
