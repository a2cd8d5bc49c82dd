/**
 * The ledger's batch records and result reader on real Redis: a batch's submission comes back as
 * typed values (no JSON for callers to parse), counters apart from it, recorded results parsed,
 * and a record that cannot be read says which batch and field.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { UnreadableBatchError, UnreadableResultError } from "../../src/ledger/errors.js";
import { createLedger, type Ledger } from "../../src/ledger/ledger.js";
import { BUILT_IN_PRICES } from "../../src/pricing/table.js";
import type { StoredResult } from "../../src/ledger/stored-result.js";
import { createKeys, type Keys } from "../../src/ledger/keys.js";
import { newBatch } from "../helpers/ledger.js";
import { testRedis, type TestRedis } from "../helpers/redis.js";

const result = (id: string, seq: number): StoredResult => ({
  id,
  seq,
  model: "openai/gpt-image-2",
  quality: "low",
  status: "succeeded",
  run_id: `run-${id}`,
  images: [`images/${id}.png`],
  estimated_micros: 9_000,
  cost_micros: 9_000,
  error: null,
  finished_at: "2026-11-20T08:00:00.000Z",
  prompt: "a chair",
});

describe("ledger records and results", () => {
  let redis: TestRedis;
  let keys: Keys;
  let ledger: Ledger;
  beforeEach(async () => {
    redis = await testRedis();
    keys = createKeys(redis.prefix);
    ledger = createLedger(redis.redis, keys);
  });
  afterEach(async () => {
    await redis.cleanup();
  });

  it("gives the submission back as typed values, apart from the live counters", async () => {
    const batch = newBatch("b1", { rows: 3, estimateMicros: 27_000, capMicros: 50_000 });
    const manifest = {
      path: "/m.csv",
      sha256: "abc",
      format: "csv" as const,
      defaults: { quality: "low" as const },
      // How the manifest was read travels with the batch, as given.
      encoding: "windows-1252",
      delimiter: ";",
    };
    const created = await ledger.batches.create(
      { ...batch, submission: { ...batch.submission, manifest } },
      new Date("2026-11-20T08:00:00Z"),
    );
    expect(created.created).toBe(true);
    const record = (await ledger.batches.get("b1"))!;
    expect(record.submission).toEqual({
      manifest,
      rows: 3,
      invalidRows: 0,
      estimate: { micros: 27_000, totals: { rows: 3, images: 3, estimated_usd: "0.000" }, by_tier: [] },
      prices: BUILT_IN_PRICES,
      out: "/tmp/out",
      binding: { endpoint: "http://sim", account: "acct-test" },
      createdAt: "2026-11-20T08:00:00.000Z",
      metadataKeys: [],
      feed: batch.submission.feed,
    });
    expect(record).toMatchObject({
      id: "b1",
      state: "submitted",
      capMicros: 50_000,
      succeeded: 0,
      spentMicros: 0,
      held: 0,
    });

    const again = await ledger.batches.create(newBatch("b1", { rows: 99 }), new Date());
    expect(again.created).toBe(false);
    expect(again.record.submission.rows).toBe(3); // a resumed batch keeps what it was submitted with
    await ledger.batches.setState("b1", "running", new Date("2026-11-20T09:00:00Z"));
    expect((await ledger.batches.get("b1"))!).toMatchObject({
      state: "running",
      startedAt: "2026-11-20T09:00:00.000Z",
    });
    expect(await ledger.batches.get("missing")).toBeNull();
  });

  it("creates a batch once when many ask at the same time, and none of them sees half a record", async () => {
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        ledger.batches.create(newBatch("b1", { rows: i + 1 }), new Date()),
      ),
    );
    expect(outcomes.filter((o) => o.created)).toHaveLength(1);
    const rows = outcomes.find((o) => o.created)!.record.submission.rows;
    for (const o of outcomes) expect(o.record.submission.rows).toBe(rows);
    expect((await ledger.batches.list(10)).map((r) => r.id)).toEqual(["b1"]);
  });

  it("reads recorded results back parsed, and every row once when scanning", async () => {
    await ledger.batches.create(newBatch("b1", { rows: 3 }), new Date());
    for (const [i, id] of ["a", "b", "c"].entries())
      expect(await ledger.rows.record("b1", result(id, i))).toBe(true);
    expect(await ledger.rows.isRecorded("b1", "a")).toBe(true);
    expect(await ledger.rows.isRecorded("b1", "zz")).toBe(false);
    expect(await ledger.results.results("b1", ["b", "zz"])).toEqual([result("b", 1), null]);
    expect(await ledger.results.terminalRows("b1", ["c", "zz"])).toEqual([true, false]);
    const scanned = [];
    for await (const r of ledger.results.scanResults("b1")) scanned.push(r.id);
    expect(scanned.sort()).toEqual(["a", "b", "c"]);
  });

  it("names the batch and the field when a stored record or result cannot be read", async () => {
    await ledger.batches.create(newBatch("b1"), new Date());
    await redis.redis.hset(keys.batch("b1"), "prices_json", "{not json");
    const error = await ledger.batches.get("b1").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnreadableBatchError);
    expect((error as Error).message).toMatch(/batch b1's record .*prices_json: not JSON/);

    await redis.redis.hset(keys.results("b1"), "r1", JSON.stringify({ id: "r1" }));
    await expect(ledger.results.results("b1", ["r1"])).rejects.toThrow(UnreadableResultError);
    await expect(ledger.results.results("b1", ["r1"])).rejects.toThrow(/row r1 in batch b1 .*seq/);
  });
});
