-- Issue 21. Every carrier estimate seen for a shipment, each distinct window of each
-- checkpoint once: from the checkpoints that carry one and from estimate revisions
-- (tracking.status.v1 events with revision_of, which never enter the timeline). Ordered by
-- (occurred_at, received_at, recorded_at) they are the estimate's history: the first is the original, the
-- last the current one, and every change of window between two is a revision.
CREATE TABLE estimate_observations (
    carrier         text NOT NULL,
    tracking_number text NOT NULL,
    checkpoint_id   uuid NOT NULL,         -- the checkpoint's event id (revision_of, or its own)
    earliest        date NOT NULL,
    latest          date NOT NULL,
    source          text NOT NULL,
    occurred_at     timestamptz NOT NULL,  -- the checkpoint's instant
    received_at     timestamptz NOT NULL,  -- when this window first reached Suivi
    estimate        jsonb NOT NULL,        -- the EstimatedDelivery as published
    -- Ties of the two above (one webhook's instant): the order the projector met them in.
    recorded_at     timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (checkpoint_id, earliest, latest, source)
);
CREATE INDEX estimate_observations_shipment
    ON estimate_observations (carrier, tracking_number, occurred_at, received_at);

INSERT INTO estimate_observations
    (carrier, tracking_number, checkpoint_id, earliest, latest, source, occurred_at,
     received_at, estimate)
SELECT carrier, tracking_number, event_id, eta_earliest, eta_latest, eta_source, occurred_at,
    received_at, estimated_delivery
FROM shipment_events
WHERE eta_source IS NOT NULL AND estimated_delivery IS NOT NULL
ON CONFLICT DO NOTHING;

-- The prediction made at each checkpoint (re-predicted whenever the generation's last event
-- changes), from what was known then; the first is the original prediction, the newest the
-- current one. Confidence: 0..1 from the size and spread of the evidence (domain/eta_model.py).
CREATE TABLE eta_predictions (
    carrier         text NOT NULL,
    tracking_number text NOT NULL,
    generation      integer NOT NULL,
    basis_event_id  uuid NOT NULL,         -- the last event known when predicting
    basis_at        timestamptz NOT NULL,  -- its instant
    status          text NOT NULL,         -- the status then
    earliest        date NOT NULL,
    likeliest       date NOT NULL,
    latest          date NOT NULL,
    confidence      real NOT NULL,
    evidence        real NOT NULL,         -- effective number of similar deliveries
    level           text NOT NULL,
    predicted_at    timestamptz NOT NULL,
    PRIMARY KEY (carrier, tracking_number, generation, basis_event_id)
);
-- The monitor's current prediction, read by the pages and the late watch with the insights.
ALTER TABLE shipment_insights
    ADD COLUMN predicted_likeliest date,
    ADD COLUMN predicted_confidence real,
    ADD COLUMN original_predicted_latest date,
    ADD COLUMN trending_late boolean NOT NULL DEFAULT false;
