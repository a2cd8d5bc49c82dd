-- Starting (or restarting) a row, in one round trip.
-- KEYS: batch, reservations, held, tiers, results, runs, posting. ARGV: row, amount, tier, now ms.
-- Returns {code, committed, cap or -1, crossed threshold or 0, first POST ms, run id or ''} where
-- code is 2 already recorded, 3 has a run (resume it), 4 the batch is being canceled or given up on
-- (nothing new is submitted; when canceled, a reservation left by an unanswered POST is released),
-- 0 refused by the cap (held), 1 granted:
-- the reservation is made (a restart keeps its old one) and the time of the first create POST
-- whose answer is unknown is noted. Once one reservation is refused the batch is blocked:
-- nothing more is submitted until the cap changes.
local batch, reservations, held, tiers = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local results, runs, posting = KEYS[5], KEYS[6], KEYS[7]
local row, amount, tier, now = ARGV[1], tonumber(ARGV[2]), ARGV[3], ARGV[4]
if redis.call('HEXISTS', results, row) == 1 then return {2, 0, -1, 0, 0, ''} end
local runId = redis.call('HGET', runs, row)
if runId then return {3, 0, -1, 0, 0, runId} end
if redis.call('HEXISTS', batch, 'cancel_requested_at') == 1 then
  local left = redis.call('HGET', reservations, row)
  -- Given up on (stop_reason): the row is recorded failed next, which settles its reservation.
  if left and redis.call('HEXISTS', batch, 'stop_reason') == 0 then
    redis.call('HINCRBY', batch, 'reserved_micros', -tonumber(left))
    redis.call('HINCRBY', tiers, tier .. '|reserved', -tonumber(left))
    redis.call('HDEL', reservations, row)
  end
  redis.call('HDEL', posting, row)
  redis.call('SREM', held, row)
  return {4, 0, -1, 0, 0, ''}
end
local spent = tonumber(redis.call('HGET', batch, 'spent_micros') or '0')
local reserved = tonumber(redis.call('HGET', batch, 'reserved_micros') or '0')
local capText = redis.call('HGET', batch, 'cap_micros')
local cap = -1
if capText and capText ~= '' then cap = tonumber(capText) end
local committed = spent + reserved
local crossed = 0
if redis.call('HEXISTS', reservations, row) == 0 then
  if cap >= 0 and (redis.call('HGET', batch, 'budget_blocked') == '1' or committed + amount > cap) then
    redis.call('HSET', batch, 'budget_blocked', '1')
    redis.call('SADD', held, row)
    return {0, committed, cap, 0, 0, ''}
  end
  redis.call('HSET', reservations, row, amount)
  redis.call('HINCRBY', batch, 'reserved_micros', amount)
  redis.call('HINCRBY', tiers, tier .. '|reserved', amount)
  redis.call('SREM', held, row)
  committed = committed + amount
  if cap > 0 then
    for _, pct in ipairs({100, 80, 50}) do
      if committed * 100 >= cap * pct and redis.call('HSETNX', batch, 'warned_' .. pct, '1') == 1 then
        if crossed == 0 then crossed = pct end
      end
    end
  end
end
redis.call('HSETNX', posting, row, now)
return {1, committed, cap, crossed, tonumber(redis.call('HGET', posting, row)), ''}
