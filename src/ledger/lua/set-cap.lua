-- Changing a batch's budget cap.
-- KEYS: batch. ARGV: cap micros ('' for none). Unblocks the batch and re-arms the warnings above
-- the new cap.
redis.call('HSET', KEYS[1], 'cap_micros', ARGV[1])
redis.call('HDEL', KEYS[1], 'budget_blocked', 'warned_50', 'warned_80', 'warned_100')
return 1
