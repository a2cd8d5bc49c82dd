/**
 * Redis gone for good mid-run (issue 18, item 4): a Redis error is never a row's outcome. The
 * process giving up on Redis stops its rows without recording anything about them: no row is
 * recorded failed ("paid, images lost: Connection is closed."), a handful of lines and no stack
 * trace, no "Redis is back" while it is not, exit 4. Then, Redis started again from its
 * append-only file, the same command finishes the batch with not one run created twice.
 * Uses a redis-server of its own (the shared Redis is never touched).
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { Redis } from "ioredis";
import { afterEach, describe, expect, it } from "vitest";
import { createBatchRecords } from "../../src/ledger/batch-records.js";
import { createKeys } from "../../src/ledger/keys.js";
import { startSimulator, type Simulator } from "../../src/simulator/index.js";
import { spawnCli, type CliProcess } from "../helpers/cli.js";
import { eventually } from "../helpers/eventually.js";
import { generations, tempDir, writeJsonl } from "../helpers/manifests.js";
import { startOwnRedis, type OwnRedis } from "../helpers/own-redis.js";

const STACK = /^\s+at .+:\d+:\d+\)?$|\\n\s+at /m;
const PREFIX = "rfbgone";
const ROWS = 48;

describe("Redis gone for good mid-run", () => {
  let own: OwnRedis | null = null;
  let sim: Simulator | null = null;
  let probe: Redis | null = null;
  let child: CliProcess | null = null;
  afterEach(async () => {
    if (child && child.child.exitCode === null) child.child.kill("SIGKILL");
    await child?.exited;
    probe?.disconnect();
    await sim?.close();
    await own?.stop();
  });

  async function setup() {
    own = await startOwnRedis();
    // Latencies long enough that rows are waiting on their runs, downloading and recording when
    // Redis goes.
    sim = await startSimulator({ latencyMs: { min: 300, max: 900 }, seed: 5, downloadDelayMs: 50 });
    const dir = await tempDir();
    const manifest = await writeJsonl(dir, generations(ROWS));
    const out = path.join(dir, "out");
    const env = {
      REDIS_URL: own.url,
      RUNFLOW_BATCH_PREFIX: PREFIX,
      RUNFLOW_BASE_URL: sim.url,
      RUNFLOW_API_KEY: "rf_test_key",
      LOG_LEVEL: "info",
    };
    return { manifest, out, env };
  }

  /** The batch's record, read through a connection of the test's own (opened afresh each time). */
  async function batch() {
    probe?.disconnect();
    probe = new Redis(own!.url, { maxRetriesPerRequest: null, lazyConnect: true });
    probe.on("error", () => undefined);
    const [record] = await createBatchRecords(probe, createKeys(PREFIX)).list(1);
    return record;
  }
  const recorded = async () => {
    const record = await batch();
    return record ? record.succeeded + record.failed : 0;
  };

  /** Kills Redis once `at` rows are recorded; returns what the process said from then on. */
  async function killRedisAt(at: number, process: CliProcess): Promise<string> {
    await eventually(async () => (await recorded()) >= at, {
      timeoutMs: 60_000,
      what: `${at} rows recorded`,
    });
    probe?.disconnect();
    const before = process.output().length;
    await own!.kill9();
    expect(await process.exited, process.output()).toBe(4);
    return process.output().slice(before);
  }

  function expectQuietGiveUp(during: string, timeout: string): void {
    const lines = during.split("\n").filter((line) => line.trim() !== "");
    expect(lines.length, during).toBeLessThanOrEqual(10);
    expect(during).not.toMatch(STACK);
    expect(during).not.toMatch(/Row failed|images lost|Connection is closed|unexpected error/);
    expect(during).not.toMatch(/is back after/);
    expect(during).toMatch(
      new RegExp(`has been unreachable for ${timeout} .*run the same command to resume`),
    );
  }

  it(
    "run: records nothing about its rows, says a few lines, exits 4; run again, every row is billed once",
    { timeout: 150_000 },
    async () => {
      const { manifest, out, env } = await setup();
      const args = ["run", manifest, "--out", out, "--concurrency", "12", "--poll-interval", "50"];
      // Rows left active by the process that gave up go to the next one once their lock expires.
      args.push("--lock-duration", "5000");

      child = spawnCli([...args, "--redis-timeout", "10s"], env);
      expectQuietGiveUp(await killRedisAt(8, child), "10 s");

      // Redis again, from its append-only file: no row was recorded failed for the outage.
      await own!.start();
      expect((await batch())?.failed).toBe(0);

      child = spawnCli(args, env);
      expect(await child.exited, child.output()).toBe(0);
      const ledger = sim!.ledger();
      const refs = Object.entries(ledger.byClientRef);
      expect(refs).toHaveLength(ROWS);
      for (const [ref, runs] of refs) expect(runs, ref).toHaveLength(1);
      expect(ledger.runsCreated).toBe(ROWS);
      const results = (await readFile(path.join(out, "results.jsonl"), "utf8"))
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as { status: string });
      expect(results).toHaveLength(ROWS);
      expect(results.every((r) => r.status === "succeeded")).toBe(true);
      expect(await batch()).toMatchObject({
        state: "done",
        succeeded: ROWS,
        failed: 0,
        spentMicros: ledger.billedMicros,
      });
    },
  );

  it("worker: gives up as quietly, leaving its rows for the next worker", { timeout: 120_000 }, async () => {
    const { manifest, out, env } = await setup();
    const submitted = spawnCli(["submit", manifest, "--out", out], env);
    expect(await submitted.exited, submitted.output()).toBe(0);
    const worker = ["worker", "--concurrency", "12", "--poll-interval", "50", "--lock-duration", "5000"];

    child = spawnCli([...worker, "--redis-timeout", "3s"], env);
    expectQuietGiveUp(await killRedisAt(8, child), "3 s");

    await own!.start();
    expect((await batch())?.failed).toBe(0);
    child = spawnCli(worker, env);
    await eventually(async () => (await batch())?.state === "done", {
      timeoutMs: 90_000,
      what: "the batch to be done",
    });
    child.child.kill("SIGTERM");
    await child.exited;
    const ledger = sim!.ledger();
    for (const [ref, runs] of Object.entries(ledger.byClientRef)) expect(runs, ref).toHaveLength(1);
    expect(await batch()).toMatchObject({ succeeded: ROWS, failed: 0, spentMicros: ledger.billedMicros });
  });
});
