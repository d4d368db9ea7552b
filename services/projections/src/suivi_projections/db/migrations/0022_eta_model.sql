-- Issue 21: the learned delivery-prediction model (domain/eta_model.py), relearned hourly by
-- the monitor from the read model's journeys; one row per model name. Replaces the percentile
-- rows of transit_times, which nothing reads any more.
CREATE TABLE eta_models (
    name        text PRIMARY KEY,
    model       jsonb NOT NULL,
    journeys    integer NOT NULL,  -- parcels with a first delivery attempt it learned from
    learned_at  timestamptz NOT NULL
);
DROP TABLE transit_times;
