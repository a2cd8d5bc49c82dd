-- A worker starting on a submitted batch: submitted → running, once, noting when it started.
-- KEYS: batch. ARGV: started at (ISO). Returns 1 when this call started it, else 0.
if redis.call('HGET', KEYS[1], 'state') ~= 'submitted' then return 0 end
redis.call('HSET', KEYS[1], 'state', 'running')
redis.call('HSETNX', KEYS[1], 'started_at', ARGV[1])
return 1
