-- Merchant webhooks and digests are claimed as the shopper ledger is (pg_claims.Claims): the
-- claiming session holds an advisory lock on the row while it sends, so a claim whose process
-- died is taken over at once instead of when its lease runs out.
ALTER TABLE notifier_merchant_webhooks ADD COLUMN leased boolean NOT NULL DEFAULT false;
ALTER TABLE notifier_digests ADD COLUMN leased boolean NOT NULL DEFAULT false;
CREATE INDEX notifier_merchant_webhooks_leased
    ON notifier_merchant_webhooks (next_attempt_at) WHERE state = 'pending' AND leased;
CREATE INDEX notifier_digests_leased
    ON notifier_digests (next_attempt_at) WHERE state = 'pending' AND leased;
