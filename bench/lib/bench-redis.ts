/**
 * A unique key prefix per bench scenario on the real Redis (REDIS_URL or the default address), and
 * the clean-up afterwards: every key under the prefix's hash tag, found with SCAN and removed with
 * UNLINK, as test/helpers/redis.ts does for tests.
 */
import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import { connectRedis } from "../../src/redis/connection.js";
import { createKeys, type Keys } from "../../src/ledger/keys.js";
import { deletePrefixKeys } from "../../test/helpers/redis.js";

export const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

export interface BenchRedis {
  readonly prefix: string;
  readonly keys: Keys;
  /** maxRetriesPerRequest: null, as BullMQ needs (src/redis/connection.ts). */
  readonly redis: Redis;
  /** Deletes every key under the prefix, closes the connection, returns how many keys went. */
  cleanup(): Promise<number>;
}

/**
 * `keep`: use this prefix and leave its keys at the end (a later scenario on the same prefix starts
 * from what this one left: learned latencies, the known request rate); its owner removes them
 * (removePrefix).
 */
export async function benchRedis(label: string, keep?: string): Promise<BenchRedis> {
  const prefix = keep ?? `rfbbench-${label}-${randomUUID().slice(0, 8)}`;
  const redis = await connectRedis(REDIS_URL);
  const close = async () => {
    await redis.quit().catch(() => redis.disconnect());
    return 0;
  };
  return {
    prefix,
    keys: createKeys(prefix),
    redis,
    cleanup: () => (keep ? close() : cleanupPrefix(redis, prefix)),
  };
}

/** Removes a kept prefix's keys (see benchRedis). */
export async function removePrefix(prefix: string): Promise<number> {
  return cleanupPrefix(await connectRedis(REDIS_URL), prefix);
}

async function cleanupPrefix(redis: Redis, prefix: string): Promise<number> {
  const removed = await deletePrefixKeys(redis, prefix);
  await redis.quit().catch(() => redis.disconnect());
  return removed;
}

/** CPU Redis has used since it started (INFO cpu), in seconds. */
export async function redisCpuSeconds(redis: Redis): Promise<number> {
  const info = await redis.info("cpu");
  const field = (name: string) => Number(new RegExp(`${name}:([\\d.]+)`).exec(info)?.[1]);
  return field("used_cpu_user") + field("used_cpu_sys");
}
