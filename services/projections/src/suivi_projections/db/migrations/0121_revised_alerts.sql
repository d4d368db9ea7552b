-- Issue 21 (numbered past the issues' range so that no feature in flight takes it): alerts of
-- kind 'revised' (the carrier moved its date later than it first said; its own one-alert
-- episode per parcel), recorded like the others before they are published.
ALTER TABLE shipment_alerts DROP CONSTRAINT shipment_alerts_kind_check;
ALTER TABLE shipment_alerts ADD CONSTRAINT shipment_alerts_kind_check
    CHECK (kind IN ('stalled', 'late', 'recovered', 'revised'));
ALTER TABLE shipment_alerts DROP CONSTRAINT shipment_alerts_episode_kind_check;
ALTER TABLE shipment_alerts ADD CONSTRAINT shipment_alerts_episode_kind_check
    CHECK (episode_kind IN ('stalled', 'late', 'revised'));
