-- A manifest pass's staged rows become the batch's rows, in one step: nobody reads half of the
-- old rows and half of the new. The feed cursor starts again from the first row.
-- KEYS: staged rows, staged order, rows, order, batch. ARGV: metadata keys (JSON array).
-- Returns the number of rows.
if redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('RENAME', KEYS[1], KEYS[3])
  redis.call('PERSIST', KEYS[3])
else
  redis.call('DEL', KEYS[3])
end
if redis.call('EXISTS', KEYS[2]) == 1 then
  redis.call('RENAME', KEYS[2], KEYS[4])
  redis.call('PERSIST', KEYS[4])
else
  redis.call('DEL', KEYS[4])
end
redis.call('HSET', KEYS[5], 'fed', 0, 'metadata_keys', ARGV[1])
return redis.call('LLEN', KEYS[4])
