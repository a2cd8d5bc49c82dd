/**
 * Real Redis for integration tests: in the cluster tier its Redis Cluster (cluster-tier.ts), else
 * REDIS_URL when set, else the default address when a Redis answers there, else a testcontainers
 * Redis when Docker is available. Every test gets its own key prefix and removes its keys
 * afterwards.
 */
import { randomUUID } from "node:crypto";
import { Cluster, Redis } from "ioredis";
import { inject } from "vitest";

const DEFAULT_URL = "redis://127.0.0.1:6379";
let containerUrl: Promise<string> | null = null;

/** Whether a Redis answers PING at `url` (one try, no reconnects). */
export async function answers(url: string): Promise<boolean> {
  const probe = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    connectTimeout: 1_000,
    retryStrategy: () => null,
  });
  probe.on("error", () => undefined);
  try {
    await probe.connect();
    return (await probe.ping()) === "PONG";
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
}

async function startContainer(): Promise<string> {
  const { RedisContainer } = await import("@testcontainers/redis");
  const container = await new RedisContainer("redis:7-alpine").start();
  return container.getConnectionUrl();
}

async function redisUrl(): Promise<string> {
  if (process.env.REDIS_URL) return process.env.REDIS_URL;
  if (await answers(DEFAULT_URL)) return DEFAULT_URL;
  containerUrl ??= startContainer();
  return containerUrl;
}

/** The cluster tier's nodes (cluster-tier.ts), or null outside that tier. */
export function clusterUrl(): string | null {
  try {
    return inject("redisCluster") ?? null;
  } catch {
    return null; // not inside a vitest worker (a bench, a script)
  }
}

/**
 * Removes every key under the `{prefix}` hash tag and the batches' `{prefix:<batch>}` tags; returns
 * how many. On a cluster, from every master (a key is deleted on the node that holds it).
 */
export async function deletePrefixKeys(redis: Redis | Cluster, prefix: string): Promise<number> {
  const nodes = redis instanceof Cluster ? redis.nodes("master") : [redis];
  let removed = 0;
  for (const node of nodes) {
    let cursor = "0";
    do {
      const [next, keys] = await node.scan(cursor, "MATCH", `{${prefix}[}:]*`, "COUNT", 1000);
      cursor = next;
      for (const key of keys) removed += await node.unlink(key);
    } while (cursor !== "0");
  }
  return removed;
}

export interface TestRedis {
  readonly url: string;
  /** Unique per test; pass as the key prefix (RUNFLOW_BATCH_PREFIX / createKeys). */
  readonly prefix: string;
  readonly redis: Redis;
  /** Deletes every key under the prefix and closes the connection. */
  cleanup(): Promise<void>;
}

export async function testRedis(): Promise<TestRedis> {
  const cluster = clusterUrl();
  const url = cluster ?? (await redisUrl());
  const prefix = `rfbtest-${randomUUID().slice(0, 8)}`;
  const connection = cluster
    ? new Cluster(
        cluster
          .split(",")
          .map((node) => ({ host: new URL(node).hostname, port: Number(new URL(node).port) })),
        { redisOptions: { maxRetriesPerRequest: null } },
      )
    : new Redis(url, { maxRetriesPerRequest: null });
  return {
    url,
    prefix,
    // A Cluster answers the same commands for keys of one slot (each batch's keys share one).
    redis: connection as unknown as Redis,
    async cleanup() {
      await deletePrefixKeys(connection, prefix);
      await connection.quit();
    },
  };
}
