-- Stalled / late episodes from tracking.alerts.v1 (the projections' monitor): a claim for a late
-- parcel is offered while one is open. Merged in any order: whichever of the opening and the
-- recovery comes first, both end up set.
CREATE TABLE aftersales_parcel_alerts (
    episode_id   uuid PRIMARY KEY,
    parcel_key   text NOT NULL,
    opened_at    timestamptz,
    recovered_at timestamptz
);
CREATE INDEX aftersales_parcel_alerts_parcel ON aftersales_parcel_alerts (parcel_key);
