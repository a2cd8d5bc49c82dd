/**
 * One request rate for every process on an account (`--max-rps`): a sliding-window log in Redis.
 * Each grant is a member of a sorted set scored by Redis's own clock, so in any window of
 * `windowMs` (1 s plus a margin for the trip to Runflow) at most `maxRps` requests start, across
 * all processes, machines and restarts. A process asks for a few grants at a time for the
 * requests queued in it, in order, and waits as long as Redis says when the window is full.
 * If Redis cannot be asked, the process spaces its own requests at `maxRps` until it can.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { Redis } from "ioredis";
import type { Logger } from "../log/logger.js";

/** KEYS: the log, its sequence. ARGV: limit, window ms, grants wanted. → {granted, wait ms, now ms}. */
const SLIDING_WINDOW_LUA = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local want = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local used = redis.call('ZCARD', KEYS[1])
local grant = math.max(0, math.min(want, limit - used))
if grant > 0 then
  local last = redis.call('INCRBY', KEYS[2], grant)
  local args = {}
  for i = 1, grant do
    args[#args + 1] = now
    args[#args + 1] = last - grant + i
  end
  redis.call('ZADD', KEYS[1], unpack(args))
  redis.call('PEXPIRE', KEYS[1], window * 2)
  redis.call('PEXPIRE', KEYS[2], 86400000)
end
local wait = 0
if grant < want then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  if oldest[2] then wait = tonumber(oldest[2]) + window - now + 1 else wait = 1 end
end
return {grant, wait, now}
`;

export interface RequestLimiter {
  /** Resolves when this request may go. */
  acquire(): Promise<void>;
  /** Runflow answered 429 anyway (another client on the account): hold back this long. */
  rateLimited(retryAfterMs: number | null): void;
  close(): void;
}

export interface SharedLimiterOptions {
  readonly redis: Redis;
  /** keys.rateLimit(bindingId) */
  readonly key: string;
  readonly maxRps: number;
  /** Default 1,050 ms: a second plus 50 ms for the request's trip. */
  readonly windowMs?: number;
  readonly logger: Logger;
  /** Told of every grant from Redis: how many, at what time on Redis's clock (ms). For tests. */
  readonly onGrant?: (count: number, redisMs: number) => void;
}

type LimitedRedis = Redis & {
  rfbRateWindow(
    log: string,
    seq: string,
    limit: number,
    windowMs: number,
    want: number,
  ): Promise<[number, number, number]>;
};

export function createSharedLimiter(options: SharedLimiterOptions): RequestLimiter {
  const { maxRps, logger } = options;
  const windowMs = options.windowMs ?? 1_050;
  const redis = options.redis as LimitedRedis;
  if (typeof redis.rfbRateWindow !== "function")
    redis.defineCommand("rfbRateWindow", { numberOfKeys: 2, lua: SLIDING_WINDOW_LUA });
  // Small asks, so processes sharing the account take turns within a window.
  const chunk = Math.max(1, Math.ceil(maxRps / 10));
  const queue: Array<() => void> = [];
  let pumping = false;
  let closed = false;
  let holdUntil = 0;

  async function pump(): Promise<void> {
    pumping = true;
    try {
      while (queue.length > 0 && !closed) {
        const hold = holdUntil - Date.now();
        if (hold > 0) await sleep(hold);
        let granted: number;
        let waitMs: number;
        try {
          let redisMs: number;
          [granted, waitMs, redisMs] = await redis.rfbRateWindow(
            options.key,
            `${options.key}:seq`,
            maxRps,
            windowMs,
            Math.min(chunk, queue.length),
          );
          if (granted > 0) options.onGrant?.(granted, redisMs);
        } catch (err) {
          logger.debug(
            { err },
            "Could not ask Redis for the shared request rate; spacing this process's requests at --max-rps.",
          );
          [granted, waitMs] = [1, Math.ceil(1_000 / maxRps)];
        }
        for (let i = 0; i < granted; i += 1) queue.shift()?.();
        if (queue.length > 0 && waitMs > 0) await sleep(waitMs);
      }
    } finally {
      pumping = false;
    }
  }

  return {
    acquire() {
      return new Promise<void>((resolve) => {
        queue.push(resolve);
        if (!pumping) void pump();
      });
    },
    rateLimited(retryAfterMs) {
      holdUntil = Math.max(holdUntil, Date.now() + (retryAfterMs ?? 1_000));
    },
    close() {
      closed = true;
      for (const release of queue.splice(0)) release();
    },
  };
}
