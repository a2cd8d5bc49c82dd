/**
 * The row state machine against real Redis and the simulator, at its most dangerous moments:
 * a crash after Runflow accepted the run but before its id was saved, and a restart after the id
 * was saved. Neither may create or bill a second run.
 */
import { readdir, rm } from "node:fs/promises";
import path from "node:path";
import pLimit from "p-limit";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { silentLogger } from "../../src/log/logger.js";
import { BUILT_IN_PRICES } from "../../src/pricing/table.js";
import { createLedger, type Ledger } from "../../src/ledger/ledger.js";
import type { RowLedger } from "../../src/ledger/row-ledger.js";
import { createKeys } from "../../src/ledger/keys.js";
import { createRunflowClient } from "../../src/runflow/client.js";
import { startSimulator, type Simulator } from "../../src/simulator/index.js";
import type { RunflowClient } from "../../src/runflow/types.js";
import { createImageDirs } from "../../src/worker/outputs.js";
import { processRow } from "../../src/worker/process-row.js";
import { recordFailure } from "../../src/worker/record-row.js";
import { IdempotencyWindowPassed, RowAttemptError } from "../../src/worker/row-errors.js";
import type { RowDeps, RowWork } from "../../src/worker/row-types.js";
import { eventually } from "../helpers/eventually.js";
import { newBatch } from "../helpers/ledger.js";
import { manualClock } from "../helpers/manual-clock.js";
import { tempDir } from "../helpers/manifests.js";
import { testRedis, type TestRedis } from "../helpers/redis.js";

const data: RowWork = {
  batch: "b1",
  seq: 0,
  attempt: 1,
  contentSha: "c0ffee",
  estimateMicros: 266_000,
  row: {
    key: "chair",
    model: "openai/gpt-image-2",
    quality: "high",
    images: 2,
    input: { prompt: "a chair", quality: "high", num_images: 2 },
    metadata: null,
  },
};

describe("processRow", () => {
  let redis: TestRedis;
  let sim: Simulator;
  let client: RunflowClient;
  let ledger: Ledger;
  let deps: RowDeps;
  let out: string;
  beforeEach(async () => {
    redis = await testRedis();
    sim = await startSimulator({ latencyMs: 50 });
    client = createRunflowClient({ baseUrl: sim.url, apiKey: "rf_test_key" });
    ledger = createLedger(redis.redis, createKeys(redis.prefix));
    out = await tempDir();
    await ledger.batches.create(newBatch("b1", { estimateMicros: 266_000, out }), new Date());
    deps = {
      client,
      rows: ledger.rows,
      batchInfo: async () => ({ outDir: out, prices: BUILT_IN_PRICES }),
      logger: silentLogger(),
      now: () => new Date(),
      poll: () => ({ initialMs: 20, intervalMs: 20, factor: 1, maxMs: 20, jitter: 0 }),
      maxConsecutivePollErrors: 3,
      downloads: pLimit(4),
    };
  });
  afterEach(async () => {
    await client.close();
    await sim.close();
    await redis.cleanup();
  });

  it("a crash between Runflow accepting the run and saving its id bills once: the retry replays the same run", async () => {
    const crashing: RowLedger = {
      ...ledger.rows,
      saveRunId: async () => Promise.reject(new Error("process died here")),
    };
    const crash = await processRow(data, { ...deps, rows: crashing }).catch((e: unknown) => e);
    expect(crash).toBeInstanceOf(RowAttemptError);
    expect(crash).toMatchObject({
      phase: "create",
      runId: sim.ledger().runs[0]!.id,
      message: expect.stringContaining("process died here"),
    });
    expect(sim.ledger().runsCreated).toBe(1);

    expect(await processRow(data, deps)).toBe("recorded");
    const billed = sim.ledger();
    expect(billed.runsCreated).toBe(1);
    expect(billed.replays).toBe(1);
    expect(billed.billedMicros).toBe(266_000);
    expect((await ledger.results.runIds("b1", ["chair"]))[0]).toBe(billed.runs[0]!.id);
    expect((await ledger.batches.get("b1"))!).toMatchObject({
      succeeded: 1,
      spentMicros: 266_000,
      reservedMicros: 0,
      images: 2,
    });
    expect((await readdir(path.join(out, "images"))).sort()).toEqual(["chair-1.png", "chair-2.png"]);
  });

  it("image directories made once per batch are made again when removed since", async () => {
    const imageDirs = createImageDirs();
    await imageDirs(out);
    await rm(path.join(out, "images"), { recursive: true });
    expect(await processRow(data, { ...deps, imageDirs })).toBe("recorded");
    expect((await readdir(path.join(out, "images"))).sort()).toEqual(["chair-1.png", "chair-2.png"]);
  });

  it("a restart with the run id saved resumes waiting on that run and never posts again", async () => {
    // A simulator whose run ends only when the test moves its clock: the worker surely stops
    // while it waits on the run, however slow this machine is.
    const clock = manualClock(Date.now());
    const held = await startSimulator({ latencyMs: 50, clock });
    const heldClient = createRunflowClient({ baseUrl: held.url, apiKey: "rf_test_key" });
    const heldDeps = { ...deps, client: heldClient };
    try {
      let saved: string | null = null;
      const stopAfterSave = new AbortController();
      const interrupted = processRow(data, {
        ...heldDeps,
        signal: stopAfterSave.signal,
      }).catch((error: unknown) => error);
      await eventually(
        async () =>
          (saved = await ledger.rows.runOf("b1", "chair")) !== null && held.ledger().requests.get > 0,
        {
          what: "the worker to save the run id and wait on the run",
        },
      );
      stopAfterSave.abort(); // the worker shuts down while waiting
      expect(await interrupted).toBeInstanceOf(Error);
      expect((await ledger.batches.get("b1"))!).toMatchObject({ succeeded: 0, failed: 0 });
      const posts = held.ledger().createRequests;

      clock.advance(50); // the run ends while no worker waits on it
      expect(saved).not.toBeNull();
      expect(await processRow(data, heldDeps)).toBe("recorded");
      expect(held.ledger().createRequests).toBe(posts);
      expect(held.ledger().runsCreated).toBe(1);
      expect(await processRow(data, heldDeps)).toBe("already-recorded");
      expect(held.ledger().createRequests).toBe(posts);
    } finally {
      await heldClient.close();
      await held.close();
    }
  });

  it("refuses to post again for a row whose earlier create went unanswered more than 23 h ago", async () => {
    const unreachable = createRunflowClient({
      baseUrl: "http://127.0.0.1:1",
      apiKey: "rf_test_key",
      timeoutMs: 2_000,
    });
    try {
      const t0 = Date.parse("2026-11-20T08:00:00Z");
      await expect(
        processRow(data, { ...deps, client: unreachable, now: () => new Date(t0) }),
      ).rejects.toThrow();
      const later = { ...deps, now: () => new Date(t0 + 24 * 3_600_000) };
      const refused = await processRow(data, later).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(RowAttemptError);
      expect((refused as RowAttemptError).cause).toBeInstanceOf(IdempotencyWindowPassed);
      expect((refused as RowAttemptError).message).toMatch(/client_ref "b1\/chair"/);
      expect(sim.ledger().createRequests).toBe(0);
      await recordFailure(data, later, refused as RowAttemptError, "window passed");
      expect((await ledger.batches.get("b1"))!).toMatchObject({
        failed: 1,
        spentMicros: 266_000,
        reservedMicros: 0,
      }); // counted at the estimate
    } finally {
      await unreachable.close();
    }
  });

  it("posts again within the window when the earlier create got a definite refusal", async () => {
    const t0 = Date.parse("2026-11-20T08:00:00Z");
    sim.configure({ balanceUsd: "0" });
    await expect(processRow(data, { ...deps, now: () => new Date(t0) })).rejects.toThrow(/402/);
    sim.configure({ balanceUsd: "100" });
    // A long credit outage is not a lost answer.
    const later = { ...deps, now: () => new Date(t0 + 30 * 3_600_000) };
    expect(await processRow(data, later)).toBe("recorded");
    expect(sim.ledger().runsCreated).toBe(1);
  });
});
