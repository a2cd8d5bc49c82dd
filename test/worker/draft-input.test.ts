/**
 * A final made from a draft image (issue 21) at the worker, against real Redis and the simulator
 * on a manual clock: its create sends the draft image's URL as the simulator signs it right then;
 * a create whose answer was lost is repeated with the exact body saved before it — even though a
 * read of the draft run would now give a newly signed URL — so Runflow replays the run instead of
 * answering 409; a new attempt takes a fresh URL; a draft whose outputs are gone fails the row,
 * naming the draft run.
 */
import pLimit from "p-limit";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createCreateBodies } from "../../src/ledger/create-bodies.js";
import { createKeys } from "../../src/ledger/keys.js";
import { createLedger, type Ledger } from "../../src/ledger/ledger.js";
import { silentLogger } from "../../src/log/logger.js";
import { BUILT_IN_PRICES } from "../../src/pricing/table.js";
import { createRunflowClient } from "../../src/runflow/client.js";
import { RunflowNetworkError } from "../../src/runflow/errors.js";
import type { RunflowClient } from "../../src/runflow/types.js";
import { startSimulator, type Simulator } from "../../src/simulator/index.js";
import { DraftUnavailable } from "../../src/worker/draft-input.js";
import { decideRowAction } from "../../src/worker/error-policy.js";
import { processRow } from "../../src/worker/process-row.js";
import { RowAttemptError } from "../../src/worker/row-errors.js";
import type { RowDeps, RowWork } from "../../src/worker/row-types.js";
import { WORKER_DEFAULTS } from "../../src/config/defaults.js";
import { newBatch } from "../helpers/ledger.js";
import { manualClock, type ManualClock } from "../helpers/manual-clock.js";
import { tempDir } from "../helpers/manifests.js";
import { testRedis, type TestRedis } from "../helpers/redis.js";

describe("a final's create body", () => {
  let redis: TestRedis;
  let clock: ManualClock;
  let sim: Simulator;
  let client: RunflowClient;
  let ledger: Ledger;
  let deps: RowDeps;
  let work: RowWork;
  let draftRun: string;

  const finalRun = () => sim.ledger().runs.find((r) => r.model === "openai/gpt-image-2/edit");
  const inputOf = async (runId: string) => {
    const res = await fetch(`${sim.url}/v1/runs/${runId}`, {
      headers: { authorization: "Bearer rf_test_key" },
    });
    return ((await res.json()) as { input: { image_urls: string[] } }).input;
  };
  const draftUrl = async () => (await client.getRun(draftRun)).outputUrls[1] as string;

  beforeEach(async () => {
    redis = await testRedis();
    clock = manualClock(Date.now());
    sim = await startSimulator({ latencyMs: 0, clock, urlTtlSeconds: 3600 });
    client = createRunflowClient({ baseUrl: sim.url, apiKey: "rf_test_key" });
    const keys = createKeys(redis.prefix);
    ledger = createLedger(redis.redis, keys);
    const out = await tempDir();
    await ledger.batches.create(newBatch("finals", { estimateMicros: 133_000, out }), new Date());
    const draft = await client.createRun({
      model: "openai/gpt-image-2",
      input: { prompt: "a chair", quality: "low", num_images: 3 },
      idempotencyKey: "draft-chair",
    });
    draftRun = draft.id;
    work = {
      batch: "finals",
      seq: 0,
      attempt: 1,
      contentSha: "f1",
      estimateMicros: 133_000,
      row: {
        key: "chair-2",
        model: "openai/gpt-image-2/edit",
        quality: "high",
        images: 1,
        input: { prompt: "a chair\n\nKeep it.", quality: "high", num_images: 1 },
        metadata: null,
        draft: { batch: "drafts", row: "chair", image: 2, run_id: draftRun, reference: true },
      },
    };
    deps = {
      client,
      rows: ledger.rows,
      batchInfo: async () => ({ outDir: out, prices: BUILT_IN_PRICES }),
      logger: silentLogger(),
      now: () => new Date(),
      poll: () => ({ initialMs: 10, intervalMs: 10, factor: 1, maxMs: 10, jitter: 0 }),
      maxConsecutivePollErrors: 3,
      downloads: pLimit(4),
      createBodies: createCreateBodies(redis.redis, keys),
    };
  });
  afterEach(async () => {
    await client.close();
    await sim.close();
    await redis.cleanup();
  });

  /** A client whose first create reaches Runflow but whose answer is lost. */
  function losingFirstAnswer(): RunflowClient {
    let lost = false;
    return {
      ...client,
      async createRun(request) {
        const run = await client.createRun(request);
        if (lost) return run;
        lost = true;
        throw new RunflowNetworkError(
          { method: "POST", path: "/v1/models/openai/gpt-image-2/edit/runs" },
          { code: "ECONNRESET", timedOut: false, detail: "socket hang up" },
        );
      },
    };
  }

  it("sends the draft image's URL signed right then, and repeats the saved body after a lost answer", async () => {
    const signedAtFirst = await draftUrl();
    const first = await processRow(work, { ...deps, client: losingFirstAnswer() }).catch((e: unknown) => e);
    expect(first).toBeInstanceOf(RowAttemptError);
    expect(sim.ledger().runsCreated).toBe(2); // the draft and the final
    clock.advance(5_000); // a read of the draft run now signs another URL
    expect(await draftUrl()).not.toBe(signedAtFirst);

    expect(await processRow(work, deps)).toBe("recorded");
    const after = sim.ledger();
    expect(after.runsCreated).toBe(2);
    expect(after.replays).toBe(1); // the same body under the same key: replayed, not refused
    expect((await inputOf(finalRun()!.id)).image_urls).toEqual([signedAtFirst]);
    expect(signedAtFirst).toContain(`/outputs/${draftRun}/1.png?expires=`);
    expect((await ledger.batches.get("finals"))!).toMatchObject({ succeeded: 1, spentMicros: 133_000 });
  });

  it("without the saved body the retry would be another body under the same key: 409", async () => {
    await processRow(work, { ...deps, client: losingFirstAnswer() }).catch(() => undefined);
    clock.advance(5_000);
    await deps.createBodies!.forget("finals", "chair-2"); // as if nothing had been kept
    const refused = await processRow(work, deps).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(RowAttemptError);
    expect((refused as RowAttemptError).message).toContain("409 CONFLICT");
  });

  it("a new attempt takes a fresh URL", async () => {
    expect(await processRow(work, deps)).toBe("recorded");
    const firstUrl = (await inputOf(finalRun()!.id)).image_urls[0];
    await ledger.rows.reopen("finals", ["chair-2"], "again");
    clock.advance(5_000);
    expect(await processRow({ ...work, attempt: 2 }, deps)).toBe("recorded");
    const runs = sim.ledger().runs.filter((r) => r.model === "openai/gpt-image-2/edit");
    expect(runs).toHaveLength(2);
    const secondUrl = (await inputOf(runs[1]!.id)).image_urls[0];
    expect(secondUrl).not.toBe(firstUrl);
    expect(secondUrl).toBe(await draftUrl());
  });

  it("fails the row, naming the draft run, when Runflow no longer serves the draft's outputs", async () => {
    expect(
      (await fetch(`${sim.url}/__simulator/runs/${draftRun}/expire-outputs`, { method: "POST" })).ok,
    ).toBe(true);
    const failure = await processRow(work, deps).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(RowAttemptError);
    expect((failure as RowAttemptError).cause).toBeInstanceOf(DraftUnavailable);
    const action = decideRowAction(failure as RowAttemptError, {
      attemptsMade: 0,
      maxAttempts: 5,
      shuttingDown: false,
      pauses: WORKER_DEFAULTS.pauses,
    });
    expect(action).toEqual({
      kind: "fail",
      reason:
        `the draft image it is made from is no longer served by Runflow: draft run ${draftRun} ` +
        "(batch drafts, row chair, image 2) has no output to give. Run that draft row again " +
        "(or pick another image) and promote again",
    });
    expect(sim.ledger().runsCreated).toBe(1); // nothing was created for the final
  });
});
