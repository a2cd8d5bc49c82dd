/**
 * Callbacks against real Redis and the simulator over HTTP: a callback is only a hint. A forged,
 * unsigned or replayed one changes nothing; a genuine one makes the row read its run once; a
 * lost one is caught by polling; and one arriving at another process's receiver wakes the row.
 */
import path from "node:path";
import pLimit from "p-limit";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openCallbacks, signatureOf, type Callbacks } from "../../src/callbacks/index.js";
import { createLedger, type Ledger } from "../../src/ledger/ledger.js";
import { silentLogger } from "../../src/log/logger.js";
import { BUILT_IN_PRICES } from "../../src/pricing/table.js";
import { createKeys } from "../../src/ledger/keys.js";
import { createRunflowClient } from "../../src/runflow/client.js";
import type { RunflowClient } from "../../src/runflow/types.js";
import { startSimulator, type Simulator } from "../../src/simulator/index.js";
import { processRow } from "../../src/worker/process-row.js";
import type { RowDeps, RowWork } from "../../src/worker/row-types.js";
import { cli, spawnCli, type CliProcess } from "../helpers/cli.js";
import { eventually } from "../helpers/eventually.js";
import { newBatch } from "../helpers/ledger.js";
import { generations, tempDir, writeJsonl } from "../helpers/manifests.js";
import { testRedis, type TestRedis } from "../helpers/redis.js";

const SECRET = "whsec_test_secret";
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
    images: 1,
    input: { prompt: "a chair", quality: "high", num_images: 1 },
    metadata: null,
  },
};
const NEVER = { initialMs: 600_000, intervalMs: 600_000, factor: 1, maxMs: 600_000, jitter: 0 };

describe("callbacks", () => {
  let redis: TestRedis;
  let sim: Simulator | null = null;
  let client: RunflowClient;
  let ledger: Ledger;
  let callbacks: Callbacks;
  let stop: AbortController;
  let out: string;
  const children: CliProcess[] = [];

  async function setUp(
    latencyMs: number | { min: number; max: number },
  ): Promise<{ url: string; deps: RowDeps }> {
    sim = await startSimulator({ latencyMs, callbackSecret: SECRET, callbackRetryBaseMs: 50 });
    client = createRunflowClient({ baseUrl: sim.url, apiKey: "rf_test_key" });
    const receiver = await callbacks.ready;
    const url = `${receiver.address}/runflow/callback`;
    const deps: RowDeps = {
      client,
      rows: ledger.rows,
      batchInfo: async () => ({ outDir: out, prices: BUILT_IN_PRICES }),
      logger: silentLogger(),
      now: () => new Date(),
      poll: () => NEVER,
      maxConsecutivePollErrors: 3,
      downloads: pLimit(4),
      sleep: callbacks.wakeups.sleep,
      callbackUrl: url,
    };
    return { url, deps };
  }

  beforeEach(async () => {
    redis = await testRedis();
    const keys = createKeys(redis.prefix);
    ledger = createLedger(redis.redis, keys);
    out = await tempDir();
    await ledger.batches.create(newBatch("b1", { estimateMicros: 266_000, out }), new Date());
    stop = new AbortController();
    const settings = { url: "unused", listen: { host: "127.0.0.1", port: 0 } };
    callbacks = openCallbacks({
      settings,
      redis: redis.redis,
      channel: keys.callbacks,
      secret: SECRET,
      logger: silentLogger(),
      signal: stop.signal,
    });
  });
  afterEach(async () => {
    for (const c of children.splice(0))
      if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill("SIGKILL");
    stop.abort();
    await callbacks.close();
    await client?.close();
    await sim?.close();
    await redis.cleanup();
  });

  const post = (url: string, body: string, signature?: string) =>
    fetch(url, {
      method: "POST",
      body,
      headers: {
        "content-type": "application/json",
        ...(signature ? { "runflow-signature": signature } : {}),
      },
    });

  it("a forged, unsigned or replayed callback changes nothing; a genuine early one costs one read and records nothing", async () => {
    const { url, deps } = await setUp(600_000); // the run stays running throughout
    const row = processRow(data, { ...deps, signal: stop.signal }).catch((e: unknown) => e);
    await eventually(() => callbacks.wakeups.waiting() === 1, { what: "the row to sleep on its run" });
    const runId = sim!.ledger().runs[0]!.id;
    const body = JSON.stringify({
      event: "run.completed",
      run_id: runId,
      status: "succeeded",
      output: { images: [] },
    });

    expect((await post(url, body, signatureOf("whsec_other", body))).status).toBe(401);
    expect((await post(url, body)).status).toBe(401);
    expect((await post(url, body, signatureOf(SECRET, body) + "00")).status).toBe(401);
    expect(callbacks.wakeups.waiting()).toBe(1);
    expect(sim!.ledger().requests.get).toBe(0);

    // Signed but early (the run is still running): the row reads the run once and sleeps again.
    expect((await post(url, body, signatureOf(SECRET, body))).status).toBe(204);
    await eventually(() => sim!.ledger().requests.get === 1 && callbacks.wakeups.waiting() === 1, {
      what: "one read, then sleeping again",
    });
    // The same delivery again (Runflow delivers at least once; nothing in it is signed against replay).
    expect((await post(url, body, signatureOf(SECRET, body))).status).toBe(204);
    const receiver = await callbacks.ready;
    expect(receiver.stats()).toEqual({ accepted: 1, repeated: 1, refused: 3 });
    expect(await ledger.rows.isRecorded("b1", "chair")).toBe(false);
    expect((await ledger.batches.get("b1"))!).toMatchObject({ succeeded: 0, failed: 0 });

    stop.abort();
    expect(await row).toBeInstanceOf(Error);
    expect(sim!.ledger().requests.get).toBe(1);
    expect(await ledger.rows.isRecorded("b1", "chair")).toBe(false);
  });

  it("a body past the size cap is refused with 413, not read into memory", async () => {
    const { url } = await setUp(50);
    const response = await post(url, JSON.stringify({ run_id: "run_x", pad: "x".repeat(300 * 1024) }));
    expect(response.status).toBe(413);
    expect(callbacks.wakeups.waiting()).toBe(0);
  });

  it("a lost callback is caught by polling: the row is recorded all the same", async () => {
    const { deps } = await setUp(100);
    const dead = openCallbacks({
      settings: { url: "x", listen: { host: "127.0.0.1", port: 0 } },
      redis: redis.redis,
      channel: "unused",
      secret: null,
      logger: silentLogger(),
    });
    const deadUrl = `${(await dead.ready).address}/cb`;
    await dead.close(); // nothing listens there any more: every delivery fails
    const polling = {
      ...deps,
      callbackUrl: deadUrl,
      poll: () => ({ initialMs: 150, intervalMs: 100, factor: 1, maxMs: 100, jitter: 0 }),
    };
    expect(await processRow(data, polling)).toBe("recorded");
    expect((await ledger.batches.get("b1"))!).toMatchObject({ succeeded: 1 });
    await eventually(() => sim!.ledger().callbacks.failedAttempts >= 1, {
      what: "the simulator to fail delivering the callback",
    });
    expect(sim!.ledger().callbacks.delivered).toBe(0);
  });

  it("a callback arriving at another process's receiver wakes the row waiting in a worker process", async () => {
    const { url } = await setUp({ min: 200, max: 500 });
    const dir = await tempDir();
    const manifest = await writeJsonl(dir, generations(5));
    const env = {
      REDIS_URL: redis.url,
      RUNFLOW_BATCH_PREFIX: redis.prefix,
      RUNFLOW_BASE_URL: sim!.url,
      RUNFLOW_API_KEY: "rf_test_key",
    };
    const submitted = await cli(["submit", manifest, "--out", path.join(dir, "out")], env);
    expect(submitted.code, submitted.stderr).toBe(0);
    const batch = submitted.stdout.trim();
    // The worker listens on a port of its own; Runflow is told to call this test process's receiver.
    // Its polls come every 10 minutes: only a wake through Redis can finish the rows in time.
    const worker = spawnCli(
      [
        "worker",
        "--batch",
        batch,
        "--callback-url",
        url,
        "--callback-listen",
        "127.0.0.1:0",
        "--poll-interval",
        "600000",
      ],
      { ...env, RUNFLOW_CALLBACK_SECRET: SECRET },
    );
    children.push(worker);
    const store = createLedger(redis.redis, createKeys(redis.prefix)).batches;
    await eventually(async () => (await store.get(batch))?.succeeded === 5, {
      timeoutMs: 60_000,
      what: "the worker to finish 5 rows",
    });
    const seen = sim!.ledger();
    expect(seen.runsCreated).toBe(5);
    expect(seen.requests.get).toBe(5); // one read per row, prompted by its callback
    expect((await callbacks.ready).stats().accepted).toBe(5);
    worker.child.kill("SIGTERM");
    expect(await worker.exited, worker.output()).toBe(0);
  });
});
