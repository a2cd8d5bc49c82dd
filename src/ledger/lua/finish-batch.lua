-- Ending a batch, once: whoever claims it first (the process recording its last row, `cancel`,
-- a worker giving up) writes the reports and sends the notification; later claims change nothing.
-- KEYS: batch. ARGV: final state, ended at (ISO), reason ('' for none).
-- Returns 1 when this call ended the batch, 0 when it had ended already, -1 when there is no batch.
if redis.call('HEXISTS', KEYS[1], 'id') == 0 then return -1 end
if redis.call('HSETNX', KEYS[1], 'ended_at', ARGV[2]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'state', ARGV[1])
if ARGV[3] ~= '' then redis.call('HSET', KEYS[1], 'end_reason', ARGV[3]) else redis.call('HDEL', KEYS[1], 'end_reason') end
return 1
