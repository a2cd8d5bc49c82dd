/**
 * The Lua scripts behind the budget cap, on real Redis: many reservations racing over several
 * connections never exceed the cap, recording a row settles it once, and a new cap unblocks.
 */
import { Redis } from "ioredis";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createBatchStore, type BatchSpec, type BatchStore } from "../../src/ledger/batch-store.js";
import { createKeys } from "../../src/queue/keys.js";
import { testRedis, type TestRedis } from "../helpers/redis.js";

const spec = (capMicros: number | null): BatchSpec => ({
  id: "b1",
  manifest: "/nowhere.csv",
  manifestSha256: "0",
  manifestOptionsJson: "{}",
  rows: 200,
  invalidRows: 0,
  estimateMicros: 200 * 9_000,
  estimateJson: "{}",
  pricesJson: "{}",
  out: "/tmp/out",
  capMicros,
});

const outcome = (row: string, actualMicros: number, status: "succeeded" | "failed" = "succeeded") => ({
  row,
  resultJson: JSON.stringify({ id: row }),
  status,
  actualMicros,
  images: status === "succeeded" ? 1 : 0,
  estimateMicros: 9_000,
  tier: "openai/gpt-image-2|low",
});

describe("budget scripts", () => {
  let redis: TestRedis;
  let store: BatchStore;
  const extra: Redis[] = [];
  beforeEach(async () => {
    redis = await testRedis();
    store = createBatchStore(redis.redis, createKeys(redis.prefix));
  });
  afterEach(async () => {
    await Promise.all(extra.splice(0).map((r) => r.quit()));
    await redis.cleanup();
  });

  it("grants exactly as many reservations as fit under the cap when 200 race over 8 connections", async () => {
    await store.create(spec(100_000), new Date());
    const stores = Array.from({ length: 8 }, () => {
      const connection = new Redis(redis.url);
      extra.push(connection);
      return createBatchStore(connection, createKeys(redis.prefix));
    });
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => stores[i % 8]!.reserve("b1", `r${i}`, 9_000, "openai/gpt-image-2|low")));
    expect(results.filter((r) => r.granted)).toHaveLength(11); // 11 × 9,000 = 99,000 ≤ 100,000
    const record = await store.get("b1");
    expect(record).toMatchObject({ reservedMicros: 99_000, inFlight: 11, budgetBlocked: true, held: 189 });
  });

  it("keeps a row's reservation across restarts instead of reserving twice", async () => {
    await store.create(spec(20_000), new Date());
    expect((await store.reserve("b1", "r1", 9_000, "t")).granted).toBe(true);
    expect((await store.reserve("b1", "r1", 9_000, "t")).granted).toBe(true);
    expect((await store.get("b1"))!.reservedMicros).toBe(9_000);
  });

  it("settles a reservation to the actual cost once, and releases a failed run's", async () => {
    await store.create(spec(50_000), new Date());
    await store.reserve("b1", "ok", 9_000, "openai/gpt-image-2|low");
    await store.reserve("b1", "bad", 9_000, "openai/gpt-image-2|low");
    expect(await store.record("b1", outcome("ok", 8_500))).toBe(true);
    expect(await store.record("b1", outcome("ok", 8_500))).toBe(false); // recorded once, whoever asks again
    expect(await store.record("b1", outcome("bad", 0, "failed"))).toBe(true);
    expect(await store.get("b1")).toMatchObject({ spentMicros: 8_500, reservedMicros: 0, succeeded: 1, failed: 1, images: 1, inFlight: 0 });
    expect(await store.tierCounters("b1")).toMatchObject({ "openai/gpt-image-2|low|actual": 8_500, "openai/gpt-image-2|low|reserved": 0, "openai/gpt-image-2|low|succeeded": 1 });
  });

  it("says when 50, 80 and 100 % of the cap are first committed", async () => {
    await store.create(spec(100_000), new Date());
    const crossed = [];
    for (let i = 0; i < 10; i += 1) crossed.push((await store.reserve("b1", `r${i}`, 10_000, "t")).crossedPercent);
    expect(crossed).toEqual([null, null, null, null, 50, null, null, 80, null, 100]);
  });

  it("unblocks the batch when the cap is raised, and a batch without a cap is never blocked", async () => {
    await store.create(spec(9_000), new Date());
    expect((await store.reserve("b1", "a", 9_000, "t")).granted).toBe(true);
    expect((await store.reserve("b1", "b", 9_000, "t")).granted).toBe(false);
    await store.setCap("b1", 18_000);
    expect((await store.reserve("b1", "b", 9_000, "t")).granted).toBe(true);
    expect(await store.get("b1")).toMatchObject({ held: 0, budgetBlocked: false });
    await store.setCap("b1", null);
    for (let i = 0; i < 50; i += 1) expect((await store.reserve("b1", `n${i}`, 9_000, "t")).granted).toBe(true);
  });

  it("never reserves for a row that is already recorded, and a late record releases a stray reservation", async () => {
    await store.create(spec(100_000), new Date());
    await store.reserve("b1", "done", 9_000, "t");
    await store.record("b1", outcome("done", 9_000));
    const late = await store.reserve("b1", "done", 9_000, "t"); // a stale worker that lost its lock
    expect(late).toMatchObject({ granted: false, alreadyRecorded: true });
    expect(await store.get("b1")).toMatchObject({ reservedMicros: 0, inFlight: 0, spentMicros: 9_000 });
  });

  it("blocks the batch when Runflow bills more than was reserved and that crosses the cap", async () => {
    await store.create(spec(20_000), new Date());
    await store.reserve("b1", "a", 9_000, "t");
    await store.record("b1", outcome("a", 21_900)); // the bill came in above the price table
    expect(await store.get("b1")).toMatchObject({ spentMicros: 21_900, budgetBlocked: true });
    expect((await store.reserve("b1", "b", 9_000, "t")).granted).toBe(false);
  });
});
