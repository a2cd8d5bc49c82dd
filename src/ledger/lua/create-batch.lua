-- Creating a batch, or finding it again, in one step: nobody ever sees half a record.
-- KEYS: batch. ARGV: id, then the hash's field/value pairs.
-- Returns 1 when this call created the batch, 0 when it already existed (nothing changes).
-- Listing it in the global batches set is a separate, idempotent command (batch-records.ts):
-- that set lives in another slot of a Redis Cluster.
if redis.call('HSETNX', KEYS[1], 'id', ARGV[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV, 2))
return 1
