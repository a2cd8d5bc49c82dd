/**
 * The Lua scripts that keep money and results exact with any number of workers: each runs
 * atomically inside Redis, so "spent + reserved ≤ cap" and "a row is recorded once" hold at
 * every instant. Wrapped as typed functions over ioredis' defineCommand.
 */
import type { Redis } from "ioredis";
import type { Keys } from "../queue/keys.js";

/**
 * Starting (or restarting) a row, in one round trip.
 * KEYS: batch, reservations, held, tiers, results, runs, posting. ARGV: row, amount, tier, now ms.
 * Returns {code, committed, cap or -1, crossed threshold or 0, first POST ms, run id or ''} where
 * code is 2 already recorded, 3 has a run (resume it), 0 refused by the cap (held), 1 granted:
 * the reservation is made (a restart keeps its old one) and the time of the first create POST
 * whose answer is unknown is noted. Once one reservation is refused the batch is blocked:
 * nothing more is submitted until the cap changes.
 */
const RESERVE = `
local batch, reservations, held, tiers, results, runs, posting = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7]
local row, amount, tier, now = ARGV[1], tonumber(ARGV[2]), ARGV[3], ARGV[4]
if redis.call('HEXISTS', results, row) == 1 then return {2, 0, -1, 0, 0, ''} end
local runId = redis.call('HGET', runs, row)
if runId then return {3, 0, -1, 0, 0, runId} end
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
`;

/**
 * KEYS: batch, reservations, results, held, tiers, posting. ARGV: row, result JSON, status,
 * actual, images, estimate, tier. Records a terminal row once (later calls return 0 and change
 * nothing but releasing a stray reservation), settles its reservation to the actual cost and
 * bumps the counters. Runflow's bill may exceed the estimate that was reserved: if that pushes
 * spent + reserved over the cap, the batch is blocked so nothing more is submitted.
 */
const RECORD = `
local batch, reservations, results, held, tiers, posting = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
local row, json, status, actual, images, estimate, tier = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6]), ARGV[7]
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
  local committed = tonumber(redis.call('HGET', batch, 'spent_micros') or '0') + tonumber(redis.call('HGET', batch, 'reserved_micros') or '0')
  if committed > tonumber(capText) then redis.call('HSET', batch, 'budget_blocked', '1') end
end
return 1
`;

/** KEYS: batch. ARGV: cap micros ('' for none). Unblocks the batch and re-arms the warnings above the new cap. */
const SET_CAP = `
redis.call('HSET', KEYS[1], 'cap_micros', ARGV[1])
redis.call('HDEL', KEYS[1], 'budget_blocked', 'warned_50', 'warned_80', 'warned_100')
return 1
`;

export interface Reservation {
  readonly granted: boolean;
  /** The row already has a recorded result (another worker finished it). */
  readonly alreadyRecorded: boolean;
  /** The row already has a run: resume waiting on it (nothing was reserved or marked). */
  readonly runId: string | null;
  /** When granted: when the first create POST with an unknown answer went out (now, if none). */
  readonly firstPostMs: number;
  readonly committedMicros: number;
  readonly capMicros: number | null;
  /** 50, 80 or 100 when this reservation crossed that share of the cap for the first time. */
  readonly crossedPercent: number | null;
}

export interface RowOutcome {
  readonly row: string;
  readonly resultJson: string;
  readonly status: "succeeded" | "failed";
  readonly actualMicros: number;
  readonly images: number;
  readonly estimateMicros: number;
  readonly tier: string;
}

export interface BatchScripts {
  reserve(batchId: string, row: string, amountMicros: number, tier: string, nowMs?: number): Promise<Reservation>;
  /** True when this call recorded the row; false when it was already terminal. */
  record(batchId: string, outcome: RowOutcome): Promise<boolean>;
  setCap(batchId: string, capMicros: number | null): Promise<void>;
}

type ScriptedRedis = Redis & {
  rfbReserve(...args: (string | number)[]): Promise<[number, number, number, number, number, string]>;
  rfbRecord(...args: (string | number)[]): Promise<number>;
  rfbSetCap(...args: (string | number)[]): Promise<number>;
};

export function createBatchScripts(redis: Redis, keys: Keys): BatchScripts {
  if (!("rfbReserve" in redis)) {
    redis.defineCommand("rfbReserve", { numberOfKeys: 7, lua: RESERVE });
    redis.defineCommand("rfbRecord", { numberOfKeys: 6, lua: RECORD });
    redis.defineCommand("rfbSetCap", { numberOfKeys: 1, lua: SET_CAP });
  }
  const r = redis as ScriptedRedis;
  return {
    async reserve(batchId, row, amount, tier, nowMs = Date.now()) {
      const [code, committed, cap, crossed, firstPost, runId] = await r.rfbReserve(
        keys.batch(batchId), keys.reservations(batchId), keys.held(batchId), keys.tiers(batchId), keys.results(batchId), keys.runs(batchId), keys.posting(batchId),
        row, amount, tier, nowMs,
      );
      return {
        granted: code === 1,
        alreadyRecorded: code === 2,
        runId: code === 3 ? runId : null,
        firstPostMs: firstPost,
        committedMicros: committed,
        capMicros: cap < 0 ? null : cap,
        crossedPercent: crossed > 0 ? crossed : null,
      };
    },
    async record(batchId, o) {
      const recorded = await r.rfbRecord(
        keys.batch(batchId), keys.reservations(batchId), keys.results(batchId), keys.held(batchId), keys.tiers(batchId), keys.posting(batchId),
        o.row, o.resultJson, o.status, o.actualMicros, o.images, o.estimateMicros, o.tier,
      );
      return recorded === 1;
    },
    async setCap(batchId, capMicros) {
      await r.rfbSetCap(keys.batch(batchId), capMicros === null ? "" : String(capMicros));
    },
  };
}
