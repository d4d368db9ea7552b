-- Issue 21: tracking.alerts.v1 carries 'revised' alerts too (the carrier moved its date later
-- than it first said; once per parcel), told to shoppers whose merchant opted in.
ALTER TABLE notifier_alerts DROP CONSTRAINT notifier_alerts_kind_check;
ALTER TABLE notifier_alerts ADD CONSTRAINT notifier_alerts_kind_check
    CHECK (kind IN ('stalled', 'late', 'recovered', 'revised'));
