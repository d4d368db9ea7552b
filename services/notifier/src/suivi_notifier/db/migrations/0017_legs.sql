-- Issue 17: a parcel that changes hands. Each later leg (carrier:NUMBER) → the parcel's key the
-- orders know (its first leg): the later legs' status events count as that shipment's, so a
-- status two legs report triggers once, and an older leg reporting late rolls nothing back.
CREATE TABLE notifier_leg_aliases (
    leg_key    text PRIMARY KEY,
    parcel_key text NOT NULL,
    event_id   uuid NOT NULL
);
