/**
 * Which Redis the queue commands use: REDIS_URL when it is set (never anything else then);
 * else the default address when a Redis answers there; else the managed local Redis, started
 * now or already running. The note says so in one line, for the command to print.
 */
import { Redis } from "ioredis";
import type { Config } from "../config/config.js";
import { startManagedRedis } from "./managed.js";

export interface RedisChoice {
  /** What ioredis connects to: a redis:// URL, or the managed Redis's socket path. */
  readonly url: string;
  readonly managed: boolean;
  /** One line for stderr when the managed Redis is used. */
  readonly note?: string;
}

export type RedisSettings = Pick<
  Config,
  "redisUrl" | "redisUrlExplicit" | "stateDir" | "redisServer" | "searchPath"
>;

/** True when something speaks Redis at the URL (a NOAUTH reply counts: it is a Redis, just not open to us). */
export async function redisAnswers(url: string, timeoutMs = 1_000): Promise<boolean> {
  const probe = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  probe.on("error", () => undefined);
  try {
    await probe.connect();
    return (await probe.ping()) === "PONG";
  } catch (error) {
    return error instanceof Error && /NOAUTH|WRONGPASS/.test(error.message);
  } finally {
    probe.disconnect();
  }
}

export async function resolveRedisUrl(settings: RedisSettings): Promise<RedisChoice> {
  if (settings.redisUrlExplicit) return { url: settings.redisUrl, managed: false };
  if (await redisAnswers(settings.redisUrl)) return { url: settings.redisUrl, managed: false };
  const redis = await startManagedRedis({
    stateDir: settings.stateDir,
    redisServer: settings.redisServer,
    searchPath: settings.searchPath,
    why: `REDIS_URL is not set, nothing answers at ${settings.redisUrl}`,
  });
  const stale = redis.stalePid === null ? "" : ` (removed a stale pidfile of pid ${redis.stalePid})`;
  const how = redis.started ? `started the managed local Redis${stale}` : "using the managed local Redis";
  const note =
    `Redis: ${how} (pid ${redis.pid}, socket ${redis.paths.socket}, data in ${redis.paths.dir}); ` +
    "it keeps running after this command — `runflow-batch redis stop` stops it.";
  return { url: redis.paths.socket, managed: true, note };
}
