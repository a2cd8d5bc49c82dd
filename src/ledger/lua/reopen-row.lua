-- Reopening a recorded row, so that it runs again as a new attempt ('again': a failed or changed
-- row) or leaves the batch ('retire': the manifest no longer has it).
-- KEYS: batch, results, runs, posting, tiers, target (history for 'again', removed for 'retire'),
-- attempts, run shas. ARGV: row, mode. Returns 1 when the row was reopened, 0 when it had no result.
-- The result moves to the target hash ('again' appends it to the row's history, one JSON line per
-- attempt); the row's counters are taken back (succeeded/failed, images, the done estimate), but
-- what it cost stays spent: money paid for an earlier attempt stays in the cost figures and
-- counts against the cap. The attempt number goes up, so the next attempt has a new job id and a
-- new Idempotency-Key and can never replay the old run.
local batch, results, runs, posting, tiers, target, attempts = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7]
local runShas = KEYS[8]
local row, mode = ARGV[1], ARGV[2]
local json = redis.call('HGET', results, row)
if not json then return 0 end
local result = cjson.decode(json)
local quality = result.quality
if quality == nil or quality == cjson.null then quality = '-' end
local tier = result.model .. '|' .. quality
local images = #result.images
local estimate = tonumber(result.estimated_micros) or 0
redis.call('HDEL', results, row)
redis.call('HDEL', runs, row)
redis.call('HDEL', runShas, row)
redis.call('HDEL', posting, row)
if mode == 'again' then
  local earlier = redis.call('HGET', target, row)
  if earlier then json = earlier .. '\n' .. json end
end
redis.call('HSET', target, row, json)
redis.call('HINCRBY', batch, result.status, -1)
redis.call('HINCRBY', batch, 'images', 0 - images)
redis.call('HINCRBY', batch, 'done_estimate_micros', 0 - estimate)
redis.call('HINCRBY', tiers, tier .. '|' .. result.status, -1)
redis.call('HINCRBY', tiers, tier .. '|images', 0 - images)
redis.call('HINCRBY', tiers, tier .. '|done_estimate', 0 - estimate)
local attempt = tonumber(redis.call('HGET', attempts, row) or '1')
redis.call('HSET', attempts, row, attempt + 1)
return 1
