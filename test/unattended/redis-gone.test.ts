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

  it(
    "records nothing about its rows, says a few lines and exits 4; run again, the batch finishes billed once",
    { timeout: 150_000 },
    async () => {
      own = await startOwnRedis();
      // Latencies long enough that rows are waiting on their runs, downloading and recording
      // when Redis goes.
      sim = await startSimulator({ latencyMs: { min: 300, max: 900 }, seed: 5, downloadDelayMs: 50 });
      probe = new Redis(own.url, { maxRetriesPerRequest: null, lazyConnect: true });
      probe.on("error", () => undefined);
      const store = createBatchRecords(probe, createKeys(PREFIX));
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
      const args = ["run", manifest, "--out", out, "--concurrency", "12", "--poll-interval", "50"];
      // Rows left active by the process that gave up go to the next one once their lock expires.
      args.push("--lock-duration", "5000");
      const recorded = async () => {
        const [record] = await store.list(1);
        return record ? record.succeeded + record.failed : 0;
      };

      child = spawnCli([...args, "--redis-timeout", "10s"], env);
      await eventually(async () => (await recorded()) >= 8, { timeoutMs: 60_000, what: "8 rows recorded" });
      probe.disconnect();
      const before = child.output().length;
      await own.kill9();
      expect(await child.exited, child.output()).toBe(4);

      const during = child.output().slice(before);
      const lines = during.split("\n").filter((line) => line.trim() !== "");
      expect(lines.length, during).toBeLessThanOrEqual(10);
      expect(during).not.toMatch(STACK);
      expect(during).not.toMatch(/Row failed|images lost|Connection is closed|unexpected error/);
      expect(during).not.toMatch(/is back after/);
      expect(during).toMatch(/has been unreachable for 10 s .*run the same command to resume/);

      // Redis again, from its append-only file: no row was recorded failed for the outage.
      await own.start();
      probe = new Redis(own.url, { maxRetriesPerRequest: null, lazyConnect: true });
      probe.on("error", () => undefined);
      const again = createBatchRecords(probe, createKeys(PREFIX));
      const [kept] = await again.list(1);
      expect(kept?.failed).toBe(0);

      child = spawnCli(args, env);
      expect(await child.exited, child.output()).toBe(0);
      const ledger = sim.ledger();
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
      const [done] = await again.list(1);
      expect(done).toMatchObject({
        state: "done",
        succeeded: ROWS,
        failed: 0,
        spentMicros: ledger.billedMicros,
      });
    },
  );
});
