/**
 * A real Redis Cluster for a test file (cluster-nodes.ts): started in beforeAll (a few seconds)
 * and stopped in afterAll: the processes end and their directory is removed. Every test uses its own key prefix (RUNFLOW_BATCH_PREFIX), so tests of
 * a file share the cluster.
 */
import { once } from "node:events";
import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, beforeEach } from "vitest";
import { createBatchRecords, type BatchRecords } from "../../src/ledger/batch-records.js";
import { createKeys, type Keys } from "../../src/ledger/keys.js";
import { startSimulator, type Simulator, type SimulatorOptions } from "../../src/simulator/index.js";
import { spawnCli, type CliProcess } from "./cli.js";
import { startRedisCluster, type TestCluster } from "./cluster-nodes.js";

export interface ClusterTestbed {
  readonly cluster: TestCluster;
  readonly sim: Simulator;
  /** Unique per test: RUNFLOW_BATCH_PREFIX. */
  readonly prefix: string;
  readonly keys: Keys;
  /** REDIS_URL (every node), RUNFLOW_BATCH_REDIS_CLUSTER=1, the prefix, the simulator and a key. */
  env(): Record<string, string>;
  /** The batch records, read through a cluster connection. */
  store(): BatchRecords;
  /** Starts `runflow-batch worker` as a child process on the cluster (killed after the test). */
  worker(args: readonly string[], env?: Record<string, string>): CliProcess;
}

/**
 * The testbed of testbed.ts on a Redis Cluster: one cluster for the file (beforeAll), a simulator
 * and a key prefix per test. Call inside a `describe`.
 */
export function useClusterTestbed(simulator: SimulatorOptions = {}): ClusterTestbed {
  let cluster: TestCluster | null = null;
  let sim: Simulator | null = null;
  let prefix = "";
  const workers: CliProcess[] = [];
  beforeAll(async () => {
    cluster = await startRedisCluster();
  });
  afterAll(async () => {
    await cluster?.stop();
  });
  beforeEach(async () => {
    prefix = `rfbcluster-${randomUUID().slice(0, 8)}`;
    sim = await startSimulator(simulator);
  });
  afterEach(async () => {
    for (const w of workers.splice(0))
      if (w.child.exitCode === null && w.child.signalCode === null) {
        const exited = once(w.child, "exit");
        w.child.kill("SIGKILL");
        await exited;
      }
    await sim?.close();
  });
  const bed: ClusterTestbed = {
    get cluster() {
      if (!cluster) throw new Error("cluster testbed used outside a test");
      return cluster;
    },
    get sim() {
      if (!sim) throw new Error("cluster testbed used outside a test");
      return sim;
    },
    get prefix() {
      return prefix;
    },
    get keys() {
      return createKeys(prefix);
    },
    env: () => ({
      REDIS_URL: bed.cluster.url,
      RUNFLOW_BATCH_REDIS_CLUSTER: "1",
      RUNFLOW_BATCH_PREFIX: prefix,
      RUNFLOW_BASE_URL: bed.sim.url,
      RUNFLOW_API_KEY: "rf_test_key",
    }),
    store: () => createBatchRecords(bed.cluster.client as unknown as Redis, createKeys(prefix)),
    worker(args, env = {}) {
      const w = spawnCli(["worker", ...args], { ...bed.env(), ...env });
      workers.push(w);
      return w;
    },
  };
  return bed;
}
