/**
 * One integration testbed per test: a fresh Redis key prefix, a simulator on port 0, the
 * environment the CLI needs to use both, and worker processes that are killed afterwards.
 * Call inside a `describe`.
 */
import { afterEach, beforeEach } from "vitest";
import { createBatchRecords, type BatchRecords } from "../../src/ledger/batch-records.js";
import { createKeys } from "../../src/ledger/keys.js";
import { startSimulator, type Simulator, type SimulatorOptions } from "../../src/simulator/index.js";
import { spawnCli, type CliProcess } from "./cli.js";
import { testRedis, type TestRedis } from "./redis.js";

export interface Testbed {
  readonly redis: TestRedis;
  readonly sim: Simulator;
  /** REDIS_URL, RUNFLOW_BATCH_PREFIX, RUNFLOW_BASE_URL and an accepted RUNFLOW_API_KEY. */
  env(): Record<string, string>;
  store(): BatchRecords;
  /** Starts `runflow-batch worker` as a child process with these arguments. */
  worker(args: readonly string[], env?: Record<string, string>): CliProcess;
}

export function useTestbed(simulator: SimulatorOptions = {}): Testbed {
  let redis: TestRedis | null = null;
  let sim: Simulator | null = null;
  const workers: CliProcess[] = [];
  beforeEach(async () => {
    redis = await testRedis();
    sim = await startSimulator(simulator);
  });
  afterEach(async () => {
    for (const w of workers.splice(0))
      if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill("SIGKILL");
    await sim?.close();
    await redis?.cleanup();
  });
  const bed: Testbed = {
    get redis() {
      if (!redis) throw new Error("testbed used outside a test");
      return redis;
    },
    get sim() {
      if (!sim) throw new Error("testbed used outside a test");
      return sim;
    },
    env: () => ({
      REDIS_URL: bed.redis.url,
      RUNFLOW_BATCH_PREFIX: bed.redis.prefix,
      RUNFLOW_BASE_URL: bed.sim.url,
      RUNFLOW_API_KEY: "rf_test_key",
    }),
    store: () => createBatchRecords(bed.redis.redis, createKeys(bed.redis.prefix)),
    worker(args, env = {}) {
      const w = spawnCli(["worker", ...args], { ...bed.env(), ...env });
      workers.push(w);
      return w;
    },
  };
  return bed;
}
