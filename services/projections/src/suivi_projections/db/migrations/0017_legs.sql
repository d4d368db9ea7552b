-- Issue 17: one parcel carried by several carriers under several numbers ("legs").
-- Every hand-off as received on tracking.legs.v1, once per deterministic id (a set: the
-- grouping is derived from it, whatever the order links and legs' events arrived in).
CREATE TABLE leg_links (
    event_id             uuid PRIMARY KEY,
    from_carrier         text NOT NULL,
    from_tracking_number text NOT NULL,
    to_carrier           text NOT NULL,
    to_tracking_number   text NOT NULL,
    source               text NOT NULL,
    provider             text NOT NULL,
    linked_at            timestamptz NOT NULL
);
CREATE INDEX leg_links_from ON leg_links (from_carrier, from_tracking_number);
CREATE INDEX leg_links_to ON leg_links (to_carrier, to_tracking_number);

-- Each linked leg → its parcel (the first leg, domain/legs.py) and its place in the chain
-- (0: the first carrier). Rewritten for a whole parcel whenever one of its links arrives.
CREATE TABLE parcel_legs (
    carrier                text NOT NULL,
    tracking_number        text NOT NULL,
    parcel_carrier         text NOT NULL,
    parcel_tracking_number text NOT NULL,
    position               integer NOT NULL CHECK (position >= 0),
    PRIMARY KEY (carrier, tracking_number)
);
CREATE INDEX parcel_legs_parcel ON parcel_legs (parcel_carrier, parcel_tracking_number);
