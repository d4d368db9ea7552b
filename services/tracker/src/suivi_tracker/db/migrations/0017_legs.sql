-- Issue 17: hand-offs between carriers (tracking.legs.v1, and the legs API). A link whose
-- earlier leg the tracker follows starts the next leg's tracking, for the same merchants;
-- one that arrives before that leg is followed waits here (`started` false) until it is.
CREATE TABLE tracker_leg_links (
    event_id             uuid PRIMARY KEY,
    from_carrier         text NOT NULL,
    from_tracking_number text NOT NULL,
    to_carrier           text NOT NULL,
    to_tracking_number   text NOT NULL,
    linked_at            timestamptz NOT NULL,
    started              boolean NOT NULL DEFAULT false
);
CREATE INDEX leg_links_waiting ON tracker_leg_links (from_carrier, from_tracking_number)
    WHERE NOT started;
