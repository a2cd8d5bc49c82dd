/**
 * Redis faults under a running batch, with a redis-server of the test's own (append-only file
 * on; the shared Redis is never touched). SIGKILLed mid-batch and started again: the run logs a
 * handful of lines (no stack trace), pauses, resumes and finishes exactly — one run per row,
 * billed once, every row recorded once. Gone for good: the run exits 4 past --redis-timeout with
 * a message saying what to do. And a batch whose record vanished is a clear exit 4. The simulator
 * runs on a manual clock: runs end only while the test moves it, never while Redis is down, so the
 * batch cannot end before the fault it is meant to meet.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { Redis } from "ioredis";
import { afterEach, describe, expect, it } from "vitest";
import { createBatchRecords } from "../../src/ledger/batch-records.js";
import { createKeys } from "../../src/ledger/keys.js";
import { startSimulator, type Simulator } from "../../src/simulator/index.js";
import { spawnCli, type CliProcess } from "../helpers/cli.js";
import { advanceUntil, advanceWhile } from "../helpers/drive-clock.js";
import { eventually } from "../helpers/eventually.js";
import { manualClock, type ManualClock } from "../helpers/manual-clock.js";
import { generations, tempDir, writeJsonl } from "../helpers/manifests.js";
import { startOwnRedis, type OwnRedis } from "../helpers/own-redis.js";

const STACK = /^\s+at .+:\d+:\d+\)?$/m;
const PREFIX = "rfbfault";

describe("Redis faults under a running batch", () => {
  let own: OwnRedis | null = null;
  let sim: Simulator | null = null;
  let probe: Redis | null = null;
  let child: CliProcess | null = null;
  let clock: ManualClock;
  afterEach(async () => {
    if (child && child.child.exitCode === null) child.child.kill("SIGKILL");
    await child?.exited;
    probe?.disconnect();
    await sim?.close();
    await own?.stop();
  });

  async function setup(rows: number) {
    own = await startOwnRedis();
    clock = manualClock(Date.now());
    sim = await startSimulator({ latencyMs: { min: 150, max: 400 }, seed: 3, clock });
    probe = new Redis(own.url, { maxRetriesPerRequest: null, lazyConnect: true });
    probe.on("error", () => undefined);
    const store = createBatchRecords(probe, createKeys(PREFIX));
    const dir = await tempDir();
    const manifest = await writeJsonl(dir, generations(rows));
    const out = path.join(dir, "out");
    const env = {
      REDIS_URL: own.url,
      RUNFLOW_BATCH_PREFIX: PREFIX,
      RUNFLOW_BASE_URL: sim.url,
      RUNFLOW_API_KEY: "rf_test_key",
      LOG_LEVEL: "info",
    };
    return { store, manifest, out, env };
  }

  /** The one batch's progress, once Redis answers. */
  const recorded = async (store: ReturnType<typeof createBatchRecords>) => {
    const [record] = await store.list(1);
    return record ? record.succeeded + record.failed : 0;
  };

  it(
    "SIGKILLed and started again mid-batch: a handful of lines, no stack trace, finishes exactly",
    { timeout: 120_000 },
    async () => {
      const { store, manifest, out, env } = await setup(60);
      child = spawnCli(["run", manifest, "--out", out, "--concurrency", "8", "--poll-interval", "50"], env);
      await advanceUntil(clock, async () => (await recorded(store)) >= 10, {
        timeoutMs: 60_000,
        what: "10 rows recorded",
      });

      await own!.kill9();
      await eventually(() => /Lost Redis at/.test(child!.output()), {
        timeoutMs: 20_000,
        what: "the outage to be said",
      });
      await own!.start();
      expect(await advanceWhile(clock, child.exited), child.output()).toBe(0);

      const output = child.output();
      expect(output).not.toMatch(STACK);
      expect(output).not.toMatch(/unexpected error|Connection is closed/);
      const lines = output.split("\n").filter((line) => /Redis/.test(line));
      expect(lines.length, lines.join("\n")).toBeLessThanOrEqual(4);
      expect(output).toMatch(/Redis at .* is back after/);
      const complaints = output.split("\n").filter((line) => /"level":(40|50|60)/.test(line));
      expect(complaints.length, complaints.join("\n")).toBeLessThanOrEqual(4);

      // Exactly: one run per row, billed once, every row recorded once and succeeded.
      const ledger = sim!.ledger();
      expect(ledger.runsCreated).toBe(60);
      for (const runs of Object.values(ledger.byClientRef)) expect(runs).toHaveLength(1);
      const results = (await readFile(path.join(out, "results.jsonl"), "utf8"))
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l));
      expect(results).toHaveLength(60);
      expect(results.every((r) => r.status === "succeeded")).toBe(true);
      const record = (await store.list(1))[0]!;
      expect(record).toMatchObject({
        state: "done",
        succeeded: 60,
        failed: 0,
        spentMicros: ledger.billedMicros,
      });
    },
  );

  it(
    "gone for good: exits 4 past --redis-timeout, saying what to do, without a stack trace",
    { timeout: 90_000 },
    async () => {
      const { store, manifest, out, env } = await setup(40);
      child = spawnCli(
        [
          "run",
          manifest,
          "--out",
          out,
          "--concurrency",
          "4",
          "--poll-interval",
          "50",
          "--redis-timeout",
          "3s",
        ],
        env,
      );
      await advanceUntil(clock, async () => (await recorded(store)) >= 4, {
        timeoutMs: 60_000,
        what: "4 rows recorded",
      });
      probe!.disconnect();
      await own!.stop();
      expect(await child.exited, child.output()).toBe(4);
      const output = child.output();
      expect(output).toMatch(
        /runflow-batch: Redis at redis:\/\/127\.0\.0\.1:\d+ has been unreachable for 3 s .*redis-timeout/,
      );
      expect(output).toMatch(/run the same command to resume/);
      expect(output).not.toMatch(STACK);
    },
  );
});
