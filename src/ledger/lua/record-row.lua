-- Recording a terminal row, once.
-- KEYS: batch, reservations, results, held, tiers, posting. ARGV: row, result JSON, status,
-- actual, images, estimate, tier. Records a terminal row once (later calls return 0 and change
-- nothing but releasing a stray reservation), settles its reservation to the actual cost and
-- bumps the counters. Runflow's bill may exceed the estimate that was reserved: if that pushes
-- spent + reserved over the cap, the batch is blocked so nothing more is submitted.
local batch, reservations, results = KEYS[1], KEYS[2], KEYS[3]
local held, tiers, posting = KEYS[4], KEYS[5], KEYS[6]
local row, json, status, tier = ARGV[1], ARGV[2], ARGV[3], ARGV[7]
local actual, images, estimate = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
local recorded = redis.call('HSETNX', results, row, json)
local reservation = redis.call('HGET', reservations, row)
if reservation then
  redis.call('HINCRBY', batch, 'reserved_micros', -tonumber(reservation))
  redis.call('HINCRBY', tiers, tier .. '|reserved', -tonumber(reservation))
  redis.call('HDEL', reservations, row)
end
redis.call('HDEL', posting, row)
if recorded == 0 then return 0 end
redis.call('HINCRBY', batch, 'spent_micros', actual)
redis.call('HINCRBY', batch, status, 1)
redis.call('HINCRBY', batch, 'images', images)
redis.call('HINCRBY', batch, 'done_estimate_micros', estimate)
redis.call('HINCRBY', tiers, tier .. '|' .. status, 1)
redis.call('HINCRBY', tiers, tier .. '|images', images)
redis.call('HINCRBY', tiers, tier .. '|actual', actual)
redis.call('HINCRBY', tiers, tier .. '|done_estimate', estimate)
redis.call('SREM', held, row)
local capText = redis.call('HGET', batch, 'cap_micros')
if capText and capText ~= '' then
  local spent = tonumber(redis.call('HGET', batch, 'spent_micros') or '0')
  local committed = spent + tonumber(redis.call('HGET', batch, 'reserved_micros') or '0')
  if committed > tonumber(capText) then redis.call('HSET', batch, 'budget_blocked', '1') end
end
return 1
