-- A row claimed for a send is `leased` until its outcome is recorded. The claiming session
-- holds an advisory lock on the row meanwhile (pg_ledger.lease): a claim whose session is gone
-- (its process killed) is taken over at once instead of when its lease runs out.
ALTER TABLE notifier_deliveries ADD COLUMN leased boolean NOT NULL DEFAULT false;
CREATE INDEX notifier_deliveries_leased
    ON notifier_deliveries (next_attempt_at) WHERE state = 'pending' AND leased;
