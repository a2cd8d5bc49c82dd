/**
 * Which Redis the queue commands use: REDIS_URL when it is set (never anything else then);
 * else the default address when a Redis answers there; else the managed local Redis, started
 * now or already running. The note says so in one line, for the command to print. A Redis
 * Cluster (RUNFLOW_BATCH_REDIS_CLUSTER) is always REDIS_URL's: the managed Redis is a single one.
 */
import { Redis } from "ioredis";
import type { Config } from "../config/config.js";
import { ConfigurationError } from "../core/errors.js";
import { startManagedRedis } from "./managed.js";

export interface RedisChoice {
  /** What ioredis connects to: a redis:// URL, or the managed Redis's socket path. */
  readonly url: string;
  readonly managed: boolean;
  /** `url` names nodes of a Redis Cluster. */
  readonly cluster: boolean;
  /** One line for stderr when the managed Redis is used. */
  readonly note?: string;
}

export type RedisSettings = Pick<
  Config,
  "redisUrl" | "redisUrlExplicit" | "redisCluster" | "stateDir" | "redisServer" | "searchPath"
>;

/** True when something speaks Redis at the URL (a NOAUTH reply counts: it is a Redis, just not open to us). */
async function redisAnswers(url: string, timeoutMs = 1_000): Promise<boolean> {
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
  if (settings.redisCluster && !settings.redisUrlExplicit)
    throw new ConfigurationError(
      "RUNFLOW_BATCH_REDIS_CLUSTER (--redis-cluster) needs REDIS_URL naming one or more nodes of the " +
        "cluster, comma-separated (redis://10.0.0.1:6379,redis://10.0.0.2:6379); the managed local " +
        "Redis is not a cluster",
    );
  if (settings.redisUrlExplicit)
    return { url: settings.redisUrl, managed: false, cluster: settings.redisCluster };
  if (await redisAnswers(settings.redisUrl))
    return { url: settings.redisUrl, managed: false, cluster: false };
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
  return { url: redis.paths.socket, managed: true, cluster: false, note };
}
