/**
 * The shared request rate (--max-rps) where it is kept: two limiters on two Redis connections (as
 * two processes would be) sharing one key. Every grant is timed on Redis's own clock — the one the
 * limit is decided on — so the window is checked exactly, however slow this machine is.
 */
import { Redis } from "ioredis";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { silentLogger } from "../../src/log/logger.js";
import { createSharedLimiter, type RequestLimiter } from "../../src/ratelimit/shared-limiter.js";
import { testRedis, type TestRedis } from "../helpers/redis.js";

const MAX_RPS = 15;
const WINDOW_MS = 1_050;

describe("the shared request limiter", () => {
  let redis: TestRedis;
  let second: Redis;
  const limiters: RequestLimiter[] = [];
  beforeEach(async () => {
    redis = await testRedis();
    second = new Redis(redis.url, { maxRetriesPerRequest: null });
  });
  afterEach(async () => {
    for (const limiter of limiters.splice(0)) limiter.close();
    await second.quit();
    await redis.cleanup();
  });

  it("grants at most --max-rps in any window across processes, and every request in the end", async () => {
    const key = `{${redis.prefix}}:rate`;
    const grants: Array<{ process: number; atMs: number }> = [];
    const limiterOf = (connection: Redis, process: number) => {
      const limiter = createSharedLimiter({
        redis: connection,
        key,
        maxRps: MAX_RPS,
        logger: silentLogger(),
        onGrant: (count, atMs) => {
          for (let i = 0; i < count; i += 1) grants.push({ process, atMs });
        },
      });
      limiters.push(limiter);
      return limiter;
    };
    const both = [limiterOf(redis.redis, 1), limiterOf(second, 2)];
    // Each asks for 30 requests at once: 60 in all, four windows' worth.
    await Promise.all(both.flatMap((limiter) => Array.from({ length: 30 }, () => limiter.acquire())));

    expect(grants).toHaveLength(60);
    expect(grants.filter((g) => g.process === 1)).toHaveLength(30);
    expect(grants.filter((g) => g.process === 2)).toHaveLength(30);
    const times = grants.map((g) => g.atMs).sort((a, b) => a - b);
    // The window ending at each grant holds at most MAX_RPS grants.
    for (const end of times) {
      const inWindow = times.filter((t) => t > end - WINDOW_MS && t <= end).length;
      expect(inWindow, `grants in the window ending at ${end}`).toBeLessThanOrEqual(MAX_RPS);
    }
    // So 60 grants span at least three whole windows.
    expect(times.at(-1)! - times[0]!).toBeGreaterThanOrEqual(3 * WINDOW_MS);
    expect(Number(await redis.redis.get(`${key}:seq`))).toBe(60);
  });
});
