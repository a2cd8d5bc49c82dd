/**
 * Global setup of the `cluster` test tier (vitest.config.ts): one three-master Redis Cluster for
 * the whole tier, its node list provided to the test files as `redisCluster`. There testRedis()
 * (redis.ts) connects to it, and the CLI the tests run is told it is a cluster (cli.ts), so the
 * pipeline, lifecycle and budget tests run unchanged against the cluster.
 */
import type { TestProject } from "vitest/node";
import { startRedisCluster } from "./cluster-nodes.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** The cluster tier's nodes, comma-separated (REDIS_URL with RUNFLOW_BATCH_REDIS_CLUSTER=1). */
    redisCluster: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // Nothing in this tier kills a node: no fsync per write.
  const cluster = await startRedisCluster(3, { durable: false });
  project.provide("redisCluster", cluster.url);
  return () => cluster.stop();
}
