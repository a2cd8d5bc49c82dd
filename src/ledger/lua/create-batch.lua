-- Creating a batch, or finding it again, in one step: nobody ever sees half a record.
-- KEYS: batch, batches. ARGV: id, created at (ms), then the hash's field/value pairs.
-- Returns 1 when this call created the batch, 0 when it already existed (nothing changes).
if redis.call('HSETNX', KEYS[1], 'id', ARGV[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV, 3))
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1])
return 1
