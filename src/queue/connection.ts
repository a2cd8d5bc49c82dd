/**
 * Redis connections. BullMQ needs `maxRetriesPerRequest: null` on its connections; we fail fast
 * with a ConfigurationError (exit 4) when Redis does not answer, and warn when its eviction
 * policy could silently drop queued jobs.
 */
import { Redis } from "ioredis";
import { ConfigurationError } from "../core/errors.js";
import type { Logger } from "../log/logger.js";

export function createRedis(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true, lazyConnect: true });
}

function describe(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.hostname}:${parsed.port || "6379"}`;
  } catch {
    return "the configured address";
  }
}

/** Connects, or throws a ConfigurationError saying how to fix it. */
export async function connectRedis(url: string, options: { timeoutMs?: number } = {}): Promise<Redis> {
  const redis = createRedis(url);
  redis.on("error", () => undefined); // reported through the failed connect below, not as an unhandled event
  const timeout = options.timeoutMs ?? 5_000;
  try {
    await Promise.race([
      redis.connect(),
      new Promise((_, reject) => setTimeout(() => reject(new Error(`no answer within ${timeout} ms`)), timeout).unref()),
    ]);
    await redis.ping();
    return redis;
  } catch (error) {
    redis.disconnect();
    throw new ConfigurationError(
      `cannot reach Redis at ${describe(url)} (${error instanceof Error ? error.message : String(error)}); ` +
        `start one (docker compose up -d redis) or set REDIS_URL`,
      { cause: error },
    );
  }
}

/** BullMQ loses jobs if Redis evicts keys; anything but noeviction deserves a warning. */
export async function warnOnUnsafeEviction(redis: Redis, logger: Logger): Promise<void> {
  try {
    const reply = (await redis.config("GET", "maxmemory-policy")) as string[];
    const policy = reply[1];
    if (policy && policy !== "noeviction") {
      logger.warn({ policy }, `Redis maxmemory-policy is ${policy}: queued jobs may be evicted; set it to noeviction`);
    }
  } catch {
    // CONFIG may be disabled on managed Redis; nothing to check then.
  }
}
