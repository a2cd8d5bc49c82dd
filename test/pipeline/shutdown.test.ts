/**
 * SIGTERM to a worker with runs in flight: it hands every row back (none is left claimed by a dead
 * process), exits cleanly, and the next worker finishes the batch without creating any run twice.
 */
import path from "node:path";
import { Queue } from "bullmq";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createBatchStore } from "../../src/queue/batch-store.js";
import { createKeys } from "../../src/queue/keys.js";
import { startSimulator, type Simulator } from "../../src/runflow/simulator/index.js";
import { cli, eventually, spawnCli, type CliProcess } from "../helpers/cli.js";
import { generations, tempDir, writeJsonl } from "../helpers/manifests.js";
import { testRedis, type TestRedis } from "../helpers/redis.js";

describe("graceful shutdown", () => {
  let redis: TestRedis;
  let sim: Simulator;
  const workers: CliProcess[] = [];
  beforeEach(async () => {
    redis = await testRedis();
    sim = await startSimulator({ latencyMs: { min: 1_500, max: 2_500 }, seed: 5 });
  });
  afterEach(async () => {
    for (const w of workers.splice(0)) if (w.child.exitCode === null) w.child.kill("SIGKILL");
    await sim.close();
    await redis.cleanup();
  });

  it("hands in-flight rows back on SIGTERM and the next worker resumes them", async () => {
    const env = { REDIS_URL: redis.url, RUNFLOW_BATCH_PREFIX: redis.prefix, RUNFLOW_BASE_URL: sim.url, RUNFLOW_API_KEY: "rf_test_key" };
    const dir = await tempDir();
    const submitted = await cli(["submit", await writeJsonl(dir, generations(30)), "--out", path.join(dir, "out")], env);
    expect(submitted.code, submitted.stderr).toBe(0);
    const batch = submitted.stdout.trim();
    const keys = createKeys(redis.prefix);
    const store = createBatchStore(redis.redis, keys);

    const first = spawnCli(["worker", "--concurrency", "30", "--poll-interval", "100"], env);
    workers.push(first);
    await eventually(async () => (await store.get(batch))!.inFlight >= 20, 20_000, "runs in flight");
    first.child.kill("SIGTERM");
    expect(await first.exited, first.output()).toBe(0);
    expect(first.output()).toMatch(/SIGTERM received; stopping and handing in-flight rows back/);

    const queue = new Queue("generate", { connection: redis.redis, prefix: keys.bullPrefix });
    expect(await queue.getActiveCount()).toBe(0);
    const before = (await store.get(batch))!;
    expect(before.succeeded).toBeLessThan(30);
    await queue.close();

    workers.push(spawnCli(["worker", "--concurrency", "30", "--poll-interval", "100"], env));
    await eventually(async () => (await store.get(batch))!.succeeded === 30, 30_000, "the second worker to finish");
    expect(sim.ledger().runsCreated).toBe(30);
    for (const runs of Object.values(sim.ledger().byClientRef)) expect(runs).toHaveLength(1);
  });
});
