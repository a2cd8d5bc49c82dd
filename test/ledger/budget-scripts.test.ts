/**
 * The Lua scripts behind the budget cap, on real Redis: many reservations racing over several
 * connections never exceed the cap, recording a row settles it once, and a new cap unblocks.
 */
import { Redis } from "ioredis";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createLedger, type Ledger } from "../../src/ledger/ledger.js";
import type { StoredResult } from "../../src/ledger/stored-result.js";
import { createKeys } from "../../src/ledger/keys.js";
import { newBatch } from "../helpers/ledger.js";
import { testRedis, type TestRedis } from "../helpers/redis.js";

const spec = (capMicros: number | null) =>
  newBatch("b1", { rows: 200, estimateMicros: 200 * 9_000, capMicros });

const outcome = (
  row: string,
  costMicros: number,
  status: "succeeded" | "failed" = "succeeded",
): StoredResult => ({
  id: row,
  seq: 0,
  model: "openai/gpt-image-2",
  quality: "low",
  status,
  run_id: null,
  images: status === "succeeded" ? [`images/${row}.png`] : [],
  estimated_micros: 9_000,
  cost_micros: costMicros,
  error: null,
  finished_at: "2026-11-20T08:00:00.000Z",
});

describe("budget scripts", () => {
  let redis: TestRedis;
  let ledger: Ledger;
  const extra: Redis[] = [];
  beforeEach(async () => {
    redis = await testRedis();
    ledger = createLedger(redis.redis, createKeys(redis.prefix));
  });
  afterEach(async () => {
    await Promise.all(extra.splice(0).map((r) => r.quit()));
    await redis.cleanup();
  });

  it("grants exactly as many reservations as fit under the cap: 200 racing over 8 connections", async () => {
    await ledger.batches.create(spec(100_000), new Date());
    const ledgers = Array.from({ length: 8 }, () => {
      const connection = new Redis(redis.url);
      extra.push(connection);
      return createLedger(connection, createKeys(redis.prefix));
    });
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        ledgers[i % 8]!.rows.reserve("b1", `r${i}`, 9_000, "openai/gpt-image-2|low"),
      ),
    );
    expect(results.filter((r) => r.granted)).toHaveLength(11); // 11 × 9,000 = 99,000 ≤ 100,000
    const record = await ledger.batches.get("b1");
    expect(record).toMatchObject({ reservedMicros: 99_000, inFlight: 11, budgetBlocked: true, held: 189 });
  });

  it("keeps a row's reservation across restarts instead of reserving twice", async () => {
    await ledger.batches.create(spec(20_000), new Date());
    expect((await ledger.rows.reserve("b1", "r1", 9_000, "t")).granted).toBe(true);
    expect((await ledger.rows.reserve("b1", "r1", 9_000, "t")).granted).toBe(true);
    expect((await ledger.batches.get("b1"))!.reservedMicros).toBe(9_000);
  });

  it("settles a reservation to the actual cost once, and releases a failed run's", async () => {
    await ledger.batches.create(spec(50_000), new Date());
    await ledger.rows.reserve("b1", "ok", 9_000, "openai/gpt-image-2|low");
    await ledger.rows.reserve("b1", "bad", 9_000, "openai/gpt-image-2|low");
    expect(await ledger.rows.record("b1", outcome("ok", 8_500))).toBe(true);
    // Recorded once, whoever asks again.
    expect(await ledger.rows.record("b1", outcome("ok", 8_500))).toBe(false);
    expect(await ledger.rows.record("b1", outcome("bad", 0, "failed"))).toBe(true);
    expect(await ledger.batches.get("b1")).toMatchObject({
      spentMicros: 8_500,
      reservedMicros: 0,
      succeeded: 1,
      failed: 1,
      images: 1,
      inFlight: 0,
    });
    expect(await ledger.results.tierCounters("b1")).toMatchObject({
      "openai/gpt-image-2|low|actual": 8_500,
      "openai/gpt-image-2|low|reserved": 0,
      "openai/gpt-image-2|low|succeeded": 1,
    });
  });

  it("says when 50, 80 and 100 % of the cap are first committed", async () => {
    await ledger.batches.create(spec(100_000), new Date());
    const crossed = [];
    for (let i = 0; i < 10; i += 1)
      crossed.push((await ledger.rows.reserve("b1", `r${i}`, 10_000, "t")).crossedPercent);
    expect(crossed).toEqual([null, null, null, null, 50, null, null, 80, null, 100]);
  });

  it("unblocks the batch when the cap is raised, and a batch without a cap is never blocked", async () => {
    await ledger.batches.create(spec(9_000), new Date());
    expect((await ledger.rows.reserve("b1", "a", 9_000, "t")).granted).toBe(true);
    expect((await ledger.rows.reserve("b1", "b", 9_000, "t")).granted).toBe(false);
    await ledger.batches.setCap("b1", 18_000);
    expect((await ledger.rows.reserve("b1", "b", 9_000, "t")).granted).toBe(true);
    expect(await ledger.batches.get("b1")).toMatchObject({ held: 0, budgetBlocked: false });
    await ledger.batches.setCap("b1", null);
    for (let i = 0; i < 50; i += 1)
      expect((await ledger.rows.reserve("b1", `n${i}`, 9_000, "t")).granted).toBe(true);
  });

  it("never reserves for a recorded row, and a late record releases a stray reservation", async () => {
    await ledger.batches.create(spec(100_000), new Date());
    await ledger.rows.reserve("b1", "done", 9_000, "t");
    await ledger.rows.record("b1", outcome("done", 9_000));
    const late = await ledger.rows.reserve("b1", "done", 9_000, "t"); // a stale worker that lost its lock
    expect(late).toMatchObject({ granted: false, alreadyRecorded: true });
    expect(await ledger.batches.get("b1")).toMatchObject({
      reservedMicros: 0,
      inFlight: 0,
      spentMicros: 9_000,
    });
  });

  it("blocks the batch when Runflow bills more than was reserved and that crosses the cap", async () => {
    await ledger.batches.create(spec(20_000), new Date());
    await ledger.rows.reserve("b1", "a", 9_000, "t");
    await ledger.rows.record("b1", outcome("a", 21_900)); // the bill came in above the price table
    expect(await ledger.batches.get("b1")).toMatchObject({ spentMicros: 21_900, budgetBlocked: true });
    expect((await ledger.rows.reserve("b1", "b", 9_000, "t")).granted).toBe(false);
  });
});
