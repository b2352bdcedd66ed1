-- The flusher's record of the batches it applied (harness/strategies/redis-after-commit.ts): a
-- batch is applied in the same transaction that records its id, so a flusher that died after
-- the apply and before removing the batch from Redis skips it the second time instead of
-- counting it twice. A batch id is removed once its Redis key is gone for good.
CREATE TABLE redis_flushes_applied (
    batch_id    TEXT PRIMARY KEY,
    applied_at  TIMESTAMPTZ NOT NULL DEFAULT NOW()
);
