-- What the monitor (suivi_projections.monitor) derives per shipment generation: its lane,
-- pickup, service and last place, its predicted delivery window, and its stall/late watch.
-- The projector only marks a changed generation due now (`due_at`); the monitor evaluates the
-- due rows (index below: no scan of every shipment) and sets the next due time.
CREATE TABLE shipment_insights (
    carrier             text NOT NULL,
    tracking_number     text NOT NULL,
    generation          integer NOT NULL,
    due_at              timestamptz,  -- next evaluation; NULL: nothing left to watch
    evaluated_at        timestamptz,
    origin_country      text,         -- country of the earliest event with one
    destination_country text,         -- the linked order's shipping country, else where delivered
    service             text,         -- the merchant's service name, from the order's parcel
    pickup_at           timestamptz,  -- first event past pending/info_received
    delivered_at        timestamptz,
    promised_latest     date,         -- the first carrier estimate's last day
    predicted_earliest  date,         -- window predicted at pickup from delivered history
    predicted_latest    date,
    predicted_samples   integer,      -- how many similar delivered shipments it came from
    stall_threshold     interval,     -- what "no event for too long" meant when last judged
    stall_episode       uuid,         -- open stalled episode, if any
    late_episode        uuid,         -- open late episode, if any
    PRIMARY KEY (carrier, tracking_number, generation)
);
CREATE INDEX shipment_insights_due ON shipment_insights (due_at) WHERE due_at IS NOT NULL;
CREATE INDEX shipment_insights_delivered ON shipment_insights (delivered_at)
    WHERE delivered_at IS NOT NULL;

-- Every alert published on tracking.alerts.v1 (one row per episode and kind; the event id is
-- deterministic, so a second instance or a restart finds the row and publishes nothing).
CREATE TABLE shipment_alerts (
    event_id        uuid PRIMARY KEY,
    episode_id      uuid NOT NULL,
    kind            text NOT NULL CHECK (kind IN ('stalled', 'late', 'recovered')),
    episode_kind    text NOT NULL CHECK (episode_kind IN ('stalled', 'late')),
    carrier         text NOT NULL,
    tracking_number text NOT NULL,
    generation      integer NOT NULL,
    status          text NOT NULL,
    location        jsonb,
    last_event_at   timestamptz NOT NULL,
    detected_at     timestamptz NOT NULL,
    expected_by     timestamptz,
    detail          text
);
CREATE INDEX shipment_alerts_shipment
    ON shipment_alerts (carrier, tracking_number, generation, detected_at);
CREATE INDEX shipment_alerts_detected ON shipment_alerts (detected_at);

-- Learned "normal" silence per carrier, status and lane ('FR>DE'; 'domestic', 'international'
-- or '*' as fallbacks): a high percentile of the gaps seen between consecutive events.
CREATE TABLE stall_thresholds (
    carrier    text NOT NULL,
    status     text NOT NULL,
    lane       text NOT NULL,
    threshold  interval NOT NULL,
    samples    integer NOT NULL,
    learned_at timestamptz NOT NULL,
    PRIMARY KEY (carrier, status, lane)
);

-- Learned transit times (delivery days from pickup) per carrier, service and lane, from
-- delivered history; '*' means any service / any lane (fallback levels).
CREATE TABLE transit_times (
    carrier     text NOT NULL,
    service     text NOT NULL,
    lane        text NOT NULL,
    samples     integer NOT NULL,
    p25_days    integer NOT NULL,
    p50_days    integer NOT NULL,
    p75_days    integer NOT NULL,
    learned_at  timestamptz NOT NULL,
    PRIMARY KEY (carrier, service, lane)
);
