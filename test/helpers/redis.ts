/**
 * Real Redis for integration tests: REDIS_URL when set, else the default address when a Redis
 * answers there, else a testcontainers Redis when Docker is available. Every test gets its own
 * key prefix and removes its keys afterwards.
 */
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";

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

/** Removes every key under the `{prefix}` hash tag and the batches' `{prefix:<batch>}` tags; returns how many. */
export async function deletePrefixKeys(redis: Redis, prefix: string): Promise<number> {
  let removed = 0;
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", `{${prefix}[}:]*`, "COUNT", 1000);
    cursor = next;
    if (keys.length > 0) removed += await redis.unlink(...keys);
  } while (cursor !== "0");
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
  const url = await redisUrl();
  const prefix = `rfbtest-${randomUUID().slice(0, 8)}`;
  const redis = new Redis(url, { maxRetriesPerRequest: null });
  return {
    url,
    prefix,
    redis,
    async cleanup() {
      await deletePrefixKeys(redis, prefix);
      await redis.quit();
    },
  };
}
