/**
 * Redis connections. BullMQ needs `maxRetriesPerRequest: null` on its connections; we fail fast
 * with a ConfigurationError (exit 4) when Redis does not answer at start, and warn when its
 * eviction policy could silently drop queued jobs.
 *
 * Once connected, losing Redis is an outage, not a flood of errors: every connection made from
 * the first one (our duplicates and BullMQ's) reports its 'error' and 'reconnecting' events to
 * one RedisOutage (outage.ts). ioredis reconnects with backoff and queues commands meanwhile,
 * so work pauses and resumes by itself.
 *
 * With `cluster` (RUNFLOW_BATCH_REDIS_CLUSTER), the connection is a Redis Cluster's (cluster.ts),
 * watched the same way; without it, a REDIS_URL that names a cluster node is refused at once
 * with what to set, instead of failing later on the first key another node owns (MOVED).
 */
import { Redis } from "ioredis";
import { backoffDelay, type BackoffCurve } from "../core/backoff.js";
import { ConfigurationError } from "../core/errors.js";
import {
  adaptClusterDuplicate,
  CLUSTER_UNREACHABLE_HINT,
  createCluster,
  describeCluster,
  isCluster,
  parseClusterUrl,
  refuseClusterNode,
} from "./cluster.js";
import type { Logger } from "../log/logger.js";
import { createOutage, type ConnectionEvents, type OutageOptions, type RedisOutage } from "./outage.js";

/** Between reconnect attempts: the one backoff formula, 50 ms doubling to 2 s, with jitter. */
const RECONNECT_CURVE: BackoffCurve = { firstMs: 50, maxMs: 2_000, jitter: 0.5 };

/**
 * A connection BullMQ can use. With `events`, it and every connection duplicated from it (by us
 * or by BullMQ) report their trouble there, so no 'error' event of any of them goes unhandled.
 */
function createRedis(url: string, events?: ConnectionEvents, cluster = false): Redis {
  if (cluster) {
    // null gives up on the cluster (after giving up): the commands waiting on it fail.
    const retry = (attempt: number) =>
      events?.reconnecting?.() === false ? null : backoffDelay(attempt, RECONNECT_CURVE);
    const connection = createCluster(parseClusterUrl(url), retry);
    return events ? watched(connection, events) : connection;
  }
  const redis = new Redis(url, {
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
    lazyConnect: true,
    // null ends the connection and fails the commands waiting on it (after giving up).
    retryStrategy: (attempt) =>
      events?.reconnecting?.() === false ? null : backoffDelay(attempt, RECONNECT_CURVE),
  });
  return events ? watched(redis, events) : redis;
}

function watched(redis: Redis, events: ConnectionEvents): Redis {
  const cluster = isCluster(redis);
  if (cluster) {
    // A cluster also reports errors it gets over while ready (a slots refresh that failed once):
    // its trouble is losing every node. One node down fails the commands of its slots once
    // ioredis stops retrying them (cluster.ts): a row takes that as a Redis fault and waits.
    watch(redis, events, () => redis.status !== "ready");
    adaptClusterDuplicate(redis, (duplicate) => watched(duplicate, events));
  } else {
    watch(redis, events);
    const duplicate = redis.duplicate.bind(redis);
    redis.duplicate = (override) => watched(duplicate(override), events);
  }
  return redis;
}

function watch(redis: Redis, events: ConnectionEvents, errorIsTrouble = () => true): void {
  events.opened?.(redis);
  redis.on("error", (error: Error) => {
    if (errorIsTrouble()) events.trouble(redis, error);
  });
  redis.on("reconnecting", () => events.trouble(redis, null));
  redis.on("ready", () => events.ready(redis));
  redis.on("end", () => events.ended(redis));
}

function describeRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.hostname}:${parsed.port || "6379"}`;
  } catch {
    return "the configured address";
  }
}

export interface ConnectOptions extends OutageOptions {
  /** REDIS_URL names nodes of a Redis Cluster (RUNFLOW_BATCH_REDIS_CLUSTER). */
  readonly cluster?: boolean;
  /** How long the first connection may take. Default 5 s. */
  readonly timeoutMs?: number;
}

export interface ConnectedRedis {
  readonly redis: Redis;
  readonly outage: RedisOutage;
}

/** Connects, or throws a ConfigurationError saying how to fix it. */
export async function connectRedis(url: string, options: ConnectOptions = {}): Promise<Redis> {
  return (await connectWatchedRedis(url, options)).redis;
}

/** Connects (or throws a ConfigurationError), with every later outage reported to one RedisOutage. */
export async function connectWatchedRedis(
  url: string,
  options: ConnectOptions = {},
): Promise<ConnectedRedis> {
  const cluster = options.cluster === true;
  const where = cluster ? describeCluster(parseClusterUrl(url)) : `Redis at ${describeRedisUrl(url)}`;
  const outage = createOutage(where, options);
  const redis = createRedis(url, outage.events, cluster);
  const timeout = options.timeoutMs ?? 5_000;
  try {
    await Promise.race([
      redis.connect(),
      new Promise((_, reject) =>
        setTimeout(() => reject(new Error(`no answer within ${timeout} ms`)), timeout).unref(),
      ),
    ]);
    await redis.ping();
  } catch (error) {
    outage.close();
    redis.disconnect();
    const reason = error instanceof Error ? error.message : String(error);
    const fix = cluster
      ? CLUSTER_UNREACHABLE_HINT
      : "start one (docker compose up -d redis) or set REDIS_URL";
    throw new ConfigurationError(`cannot reach ${where} (${reason}); ${fix}`, { cause: error });
  }
  const refusal = cluster ? null : await refuseClusterNode(redis, where);
  if (refusal) {
    outage.close();
    redis.disconnect();
    throw refusal;
  }
  outage.connected();
  return { redis, outage };
}

/** BullMQ loses jobs if Redis evicts keys; anything but noeviction deserves a warning. */
export async function warnOnUnsafeEviction(redis: Redis, logger: Logger): Promise<void> {
  try {
    const reply = (await redis.config("GET", "maxmemory-policy")) as string[];
    const policy = reply[1];
    if (policy && policy !== "noeviction") {
      logger.warn(
        { policy },
        `Redis maxmemory-policy is ${policy}: queued jobs may be evicted; set it to noeviction`,
      );
    }
  } catch {
    // CONFIG may be disabled on managed Redis; nothing to check then.
  }
}
