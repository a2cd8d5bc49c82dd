/**
 * A batch's lifecycle in the ledger, on real Redis: a worker starts a submitted batch once, a
 * batch ends once whoever asks first, a re-run opens it again, a cancel request refuses every
 * new reservation (releasing one an unanswered POST left) but lets rows with a run resume, and a
 * batch discarded before anything was queued leaves nothing behind.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createLedger, type Ledger } from "../../src/ledger/ledger.js";
import { createKeys, type Keys } from "../../src/ledger/keys.js";
import { newBatch } from "../helpers/ledger.js";
import { testRedis, type TestRedis } from "../helpers/redis.js";

describe("batch lifecycle in the ledger", () => {
  let redis: TestRedis;
  let keys: Keys;
  let ledger: Ledger;
  beforeEach(async () => {
    redis = await testRedis();
    keys = createKeys(redis.prefix);
    ledger = createLedger(redis.redis, keys);
  });
  afterEach(async () => redis.cleanup());

  it("starts once, ends once for whoever asks first, and opens again on a re-run", async () => {
    await ledger.batches.create(newBatch("b1", { rows: 2 }), new Date());
    expect(await Promise.all([ledger.batches.start("b1"), ledger.batches.start("b1")])).toEqual([
      true,
      false,
    ]);
    expect((await ledger.batches.get("b1"))!.state).toBe("running");
    const claims = await Promise.all(
      Array.from({ length: 10 }, () => ledger.batches.finish("b1", "failed-rows", "1 row failed")),
    );
    expect(claims.filter(Boolean)).toHaveLength(1);
    expect(await ledger.batches.get("b1")).toMatchObject({
      state: "failed-rows",
      endReason: "1 row failed",
      endedAt: expect.any(String),
    });
    expect(await ledger.batches.start("b1")).toBe(false); // an ended batch is not started by a worker
    await ledger.batches.setState("b1", "running"); // a re-run
    expect(await ledger.batches.get("b1")).toMatchObject({
      state: "running",
      endedAt: null,
      endReason: null,
    });
    expect(await ledger.batches.finish("b1", "done", null)).toBe(true);
    expect(await ledger.batches.finish("nope", "done", null)).toBe(false);
  });

  it("refuses new reservations once canceled, releasing a stray one; rows with a run resume", async () => {
    await ledger.batches.create(newBatch("b1", { rows: 3, estimateMicros: 30_000 }), new Date());
    expect((await ledger.rows.reserve("b1", "a", 10_000, "openai/gpt-image-2|low")).granted).toBe(true);
    expect((await ledger.rows.reserve("b1", "b", 10_000, "openai/gpt-image-2|low")).granted).toBe(true);
    await ledger.rows.saveRunId("b1", "b", "run-b", "sha-b");
    await ledger.batches.requestCancel("b1");
    // a: its POST went unanswered.
    const a = await ledger.rows.reserve("b1", "a", 10_000, "openai/gpt-image-2|low");
    const b = await ledger.rows.reserve("b1", "b", 10_000, "openai/gpt-image-2|low");
    const c = await ledger.rows.reserve("b1", "c", 10_000, "openai/gpt-image-2|low");
    expect([a.canceled, b.canceled, c.canceled]).toEqual([true, false, true]);
    expect(b.runId).toBe("run-b");
    const record = (await ledger.batches.get("b1"))!;
    expect(record).toMatchObject({
      inFlight: 1,
      reservedMicros: 10_000,
      cancelRequestedAt: expect.any(String),
    });
  });

  it("discards a batch created by a command that failed before queueing anything", async () => {
    await ledger.batches.create(newBatch("ghost", { rows: 10 }), new Date());
    await ledger.batches.discard("ghost");
    expect(await ledger.batches.get("ghost")).toBeNull();
    expect(await ledger.batches.list(10)).toEqual([]);
  });
});
