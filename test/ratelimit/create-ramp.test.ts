/**
 * The create ramp (issue 19): the adaptive limiter does not hold back a first wave the account
 * can take. On a manual clock: with nothing known, 2,000 requests asked at once all go within
 * about a second, in bursts (not one per timer, and not over the 5 s and more of a slow
 * start); with what the account took last time in Redis, a wave of that size goes at once. What
 * it learns is kept in Redis per binding; a 429 is kept at once, as a limit.
 */
import { afterEach, describe, expect, it } from "vitest";
import { createAdaptiveLimiter } from "../../src/ratelimit/adaptive-limiter.js";
import { createKnownRateStore, type KnownRateStore } from "../../src/ratelimit/known-rate.js";
import { eventually } from "../helpers/eventually.js";
import { manualClock, type ManualClock } from "../helpers/manual-clock.js";
import { testRedis, type TestRedis } from "../helpers/redis.js";

const settle = () => new Promise((resolve) => setImmediate(resolve));

/** Asks `n` grants at once; moves the clock timer by timer until all are granted. Times, timers used. */
async function wave(clock: ManualClock, limiter: ReturnType<typeof createAdaptiveLimiter>, n: number) {
  const start = clock.now();
  const granted: number[] = [];
  for (let i = 0; i < n; i += 1) void limiter.acquire().then(() => granted.push(clock.now() - start));
  let timers = 0;
  for (await settle(); granted.length < n; await settle()) {
    const [next] = clock.pending();
    if (next === undefined) continue;
    timers += 1;
    clock.advance(next);
  }
  return { granted, timers };
}

let redis: TestRedis | null = null;
afterEach(async () => {
  await redis?.cleanup();
  redis = null;
});

function limiterOn(clock: ManualClock, store?: KnownRateStore) {
  return createAdaptiveLimiter({
    now: clock.now,
    sleep: (ms) => new Promise((resolve) => clock.schedule(ms, () => resolve(undefined))),
    store,
  });
}

describe("the create ramp", () => {
  it("knowing nothing, 2,000 creates asked at once go within about a second, in bursts", async () => {
    const clock = manualClock();
    const { granted, timers } = await wave(clock, limiterOn(clock), 2_000);
    expect(granted.filter((t) => t === 0)).toHaveLength(100); // a second's worth at once
    expect(Math.max(...granted)).toBeLessThanOrEqual(1_100);
    expect(timers).toBeLessThan(2_000 / 20); // bursts, not a timer per request
  });

  it("starts from the rate the account took last time (Redis): a wave that size goes at once", async () => {
    redis = await testRedis();
    const store = createKnownRateStore(redis.redis, `{${redis.prefix}}:known-rate:b1`);
    const first = manualClock();
    const before = limiterOn(first, store);
    await before.ready;
    await wave(first, before, 2_000);
    before.close(); // keeps what it learned
    const known = (await eventually(() => store.load()))!;
    expect(known.limited).toBe(false);
    expect(known.rps).toBeGreaterThanOrEqual(800);

    const clock = manualClock();
    const limiter = limiterOn(clock, store);
    await limiter.ready;
    const { granted } = await wave(clock, limiter, 2_000);
    expect(granted.filter((t) => t === 0).length).toBeGreaterThanOrEqual(known.rps);
    expect(Math.max(...granted)).toBeLessThan(1_000);
  });

  it("keeps a 429 at once as the account's limit; the next process starts there", async () => {
    redis = await testRedis();
    const store = createKnownRateStore(redis.redis, `{${redis.prefix}}:known-rate:b2`);
    const clock = manualClock();
    const limiter = limiterOn(clock, store);
    await limiter.ready;
    await wave(clock, limiter, 300);
    for (let i = 0; i < 200; i += 1) limiter.rateLimited(1_000); // Runflow let 100 of 300 through
    const known = await eventually(async () => {
      const stored = await store.load();
      return stored?.limited ? stored : false;
    });
    expect(known).toEqual({ rps: 90, limited: true });
    const next = limiterOn(manualClock(), store);
    await next.ready;
    const { granted } = await wave(manualClock(), next, 1);
    expect(granted).toEqual([0]);
    limiter.close();
    next.close();
  });
});
