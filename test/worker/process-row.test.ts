/**
 * The row state machine against real Redis and the simulator, at its most dangerous moments:
 * a crash after Runflow accepted the run but before its id was saved, and a restart after the id
 * was saved. Neither may create or bill a second run.
 */
import { readdir } from "node:fs/promises";
import path from "node:path";
import pLimit from "p-limit";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { silentLogger } from "../../src/log/logger.js";
import { BUILT_IN_PRICES } from "../../src/pricing/table.js";
import { createBatchStore, type BatchStore } from "../../src/ledger/batch-store.js";
import type { RowJobData } from "../../src/queue/job-data.js";
import { createKeys } from "../../src/queue/keys.js";
import { createRunflowClient } from "../../src/runflow/client.js";
import { startSimulator, type Simulator } from "../../src/simulator/index.js";
import type { RunflowClient } from "../../src/runflow/types.js";
import { processRow, type RowDeps } from "../../src/worker/process-row.js";
import { recordFailure } from "../../src/worker/record-row.js";
import { IdempotencyWindowPassed } from "../../src/worker/row-errors.js";
import { tempDir } from "../helpers/manifests.js";
import { testRedis, type TestRedis } from "../helpers/redis.js";

const data: RowJobData = {
  batch: "b1",
  seq: 0,
  estimateMicros: 266_000,
  row: {
    key: "chair",
    model: "openai/gpt-image-2",
    quality: "high",
    images: 2,
    input: { prompt: "a chair", quality: "high", num_images: 2 },
    metadata: null,
    location: { file: "m.csv", line: 2 },
  },
};

describe("processRow", () => {
  let redis: TestRedis;
  let sim: Simulator;
  let client: RunflowClient;
  let store: BatchStore;
  let deps: RowDeps;
  let out: string;
  beforeEach(async () => {
    redis = await testRedis();
    sim = await startSimulator({ latencyMs: 50 });
    client = createRunflowClient({ baseUrl: sim.url, apiKey: "rf_test_key" });
    store = createBatchStore(redis.redis, createKeys(redis.prefix));
    out = await tempDir();
    await store.create(
      { id: "b1", manifest: "/m.csv", manifestSha256: "0", manifestOptionsJson: "{}", rows: 1, invalidRows: 0, estimateMicros: 266_000, estimateJson: "{}", pricesJson: "{}", out, capMicros: null },
      new Date(),
    );
    deps = {
      client,
      store,
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
    const crashingStore: BatchStore = { ...store, saveRunId: async () => Promise.reject(new Error("process died here")) };
    await expect(processRow(data, async () => undefined, { ...deps, store: crashingStore }, { phase: "create" as const, runId: null, run: null })).rejects.toThrow("process died here");
    expect(sim.ledger().runsCreated).toBe(1);

    const progress = { phase: "create" as const, runId: null as string | null, run: null };
    expect(await processRow(data, async () => undefined, deps, progress)).toBe("recorded");
    const ledger = sim.ledger();
    expect(ledger.runsCreated).toBe(1);
    expect(ledger.replays).toBe(1);
    expect(ledger.billedMicros).toBe(266_000);
    expect(progress.runId).toBe(ledger.runs[0]!.id);
    expect((await store.get("b1"))!).toMatchObject({ succeeded: 1, spentMicros: 266_000, reservedMicros: 0, images: 2 });
    expect((await readdir(path.join(out, "images"))).sort()).toEqual(["chair-1.png", "chair-2.png"]);
  });

  it("a restart with the run id saved resumes waiting on that run and never posts again", async () => {
    let saved: string | null = null;
    const stopAfterSave = new AbortController();
    const first = processRow(data, async (id) => void (saved = id), { ...deps, signal: stopAfterSave.signal }, { phase: "create" as const, runId: null, run: null });
    const interrupted = first.catch((error: unknown) => error);
    while (saved === null) await new Promise((r) => setTimeout(r, 5));
    stopAfterSave.abort(); // the worker shuts down while waiting
    expect(await interrupted).toBeInstanceOf(Error);
    const posts = sim.ledger().createRequests;

    expect(await processRow({ ...data, runId: saved }, async () => undefined, deps, { phase: "create" as const, runId: null, run: null })).toBe("recorded");
    expect(sim.ledger().createRequests).toBe(posts);
    expect(sim.ledger().runsCreated).toBe(1);
    expect(await processRow(data, async () => undefined, deps, { phase: "create" as const, runId: null, run: null })).toBe("already-recorded");
    expect(sim.ledger().createRequests).toBe(posts);
  });

  it("refuses to post again for a row whose earlier create went unanswered more than 23 h ago", async () => {
    const unreachable = createRunflowClient({ baseUrl: "http://127.0.0.1:1", apiKey: "rf_test_key", timeoutMs: 2_000 });
    try {
      const t0 = Date.parse("2026-11-20T08:00:00Z");
      await expect(processRow(data, async () => undefined, { ...deps, client: unreachable, now: () => new Date(t0) }, { phase: "create" as const, runId: null, run: null })).rejects.toThrow();
      const later = { ...deps, now: () => new Date(t0 + 24 * 3_600_000) };
      const progress = { phase: "create" as const, runId: null, run: null };
      const refused = processRow(data, async () => undefined, later, progress);
      await expect(refused).rejects.toBeInstanceOf(IdempotencyWindowPassed);
      await expect(refused).rejects.toThrow(/client_ref "b1\/chair"/);
      expect(sim.ledger().createRequests).toBe(0);
      await recordFailure(data, later, progress, "window passed", await refused.catch((e: unknown) => e));
      expect((await store.get("b1"))!).toMatchObject({ failed: 1, spentMicros: 266_000, reservedMicros: 0 }); // counted at the estimate
    } finally {
      await unreachable.close();
    }
  });

  it("posts again within the window when the earlier create got a definite refusal", async () => {
    const t0 = Date.parse("2026-11-20T08:00:00Z");
    sim.configure({ balanceUsd: "0" });
    await expect(processRow(data, async () => undefined, { ...deps, now: () => new Date(t0) }, { phase: "create" as const, runId: null, run: null })).rejects.toThrow(/402/);
    sim.configure({ balanceUsd: "100" });
    const later = { ...deps, now: () => new Date(t0 + 30 * 3_600_000) }; // a long credit outage is not a lost answer
    expect(await processRow(data, async () => undefined, later, { phase: "create" as const, runId: null, run: null })).toBe("recorded");
    expect(sim.ledger().runsCreated).toBe(1);
  });
});
