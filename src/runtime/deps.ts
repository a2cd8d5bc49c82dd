/**
 * Builds what the queue commands share: configuration, logger, a checked Redis connection, the
 * ledger, and the Runflow client (pointed at an in-process simulator with --simulate).
 * Losing Redis later is one outage (redis/connection.ts): work pauses and resumes; past the
 * Redis timeout, `guard` ends the command's work with exit 4.
 */
import type { Redis } from "ioredis";
import { isInteractive, readConfig, type Config } from "../config/config.js";
import { ConfigurationError } from "../core/errors.js";
import { createLogger, type Logger } from "../log/logger.js";
import { createLedger, type Ledger } from "../ledger/ledger.js";
import { bindingFor, bindingId, type Binding } from "../ledger/binding.js";
import { connectWatchedRedis, warnOnUnsafeEviction } from "../redis/connection.js";
import type { RedisOutage } from "../redis/outage.js";
import { createKeys, type Keys } from "../ledger/keys.js";
import { resolveRedisUrl } from "../redis/resolve-url.js";
import { createApiStats } from "../ledger/api-stats.js";
import { createRunflowClient } from "../runflow/client.js";
import { readStorageConfig } from "../config/storage.js";
import type { StoreOpener } from "../outdir/store.js";
import { createStoreOpener } from "../outdir/stores.js";
import { withRequestStats, type RequestStatsOptions } from "../runflow/request-stats.js";
import { createAdaptiveLimiter } from "../ratelimit/adaptive-limiter.js";
import { createKnownRateStore } from "../ratelimit/known-rate.js";
import { withRateLimit } from "../ratelimit/limited-client.js";
import { createSharedLimiter } from "../ratelimit/shared-limiter.js";
import type { RunflowClient } from "../runflow/types.js";
import type { CommandIo } from "./io.js";

export interface QueueDeps {
  readonly config: Config;
  readonly logger: Logger;
  readonly redis: Redis;
  readonly keys: Keys;
  readonly ledger: Ledger;
  /** Redis going away after the start: one outage, logged once; `gaveUp` past the Redis timeout. */
  readonly outage: RedisOutage;
  /** Opens batch directories: local paths, or S3 prefixes (the S3 client is made on first use). */
  readonly stores: StoreOpener;
  /** `work`, unless Redis stays unreachable past the Redis timeout: then a ConfigurationError (exit 4). */
  guard<T>(work: Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface QueueDepsOptions {
  /** How long Redis may stay unreachable once connected (ms); default: config (60 s). */
  readonly redisTimeoutMs?: number | undefined;
}

function loggerFor(io: CommandIo, config: Config): Logger {
  return createLogger({ level: config.logLevel, pretty: isInteractive(io.stderr, io.env) });
}

export async function openQueueDeps(io: CommandIo, options: QueueDepsOptions = {}): Promise<QueueDeps> {
  const config = readConfig({}, io.env);
  const logger = loggerFor(io, config);
  const choice = await resolveRedisUrl(config); // REDIS_URL, the default address, or the managed local Redis
  if (choice.note) io.stderr.write(`${choice.note}\n`);
  const redisTimeoutMs = options.redisTimeoutMs ?? config.redisTimeoutMs;
  const { redis, outage } = await connectWatchedRedis(choice.url, {
    logger,
    redisTimeoutMs,
    cluster: choice.cluster,
  });
  await warnOnUnsafeEviction(redis, logger);
  const keys = createKeys(config.redisPrefix);
  const stores = createStoreOpener({ storage: () => readStorageConfig(io.env) });
  return {
    config,
    logger,
    redis,
    keys,
    ledger: createLedger(redis, keys),
    outage,
    stores,
    guard: (work) => Promise.race([work, outage.gaveUp]),
    async close() {
      await stores.close();
      const down = outage.down;
      outage.close();
      // Nothing is waiting for a Redis that is gone: close at once instead of queueing QUIT.
      if (down) redis.disconnect();
      else await redis.quit().catch(() => redis.disconnect());
      logger.flush?.();
    },
  };
}

/** The key a rehearsal's client sends to the built-in simulator. */
const SIMULATED_KEY = "rf_simulated_local";

const NO_KEY =
  "no Runflow API key: set RUNFLOW_API_KEY (keys look like rf_live_…), or use --simulate to rehearse offline";

/** The endpoint and account the configured client talks to (the simulator's, for a rehearsal). */
export function bindingOf(config: Config, simulator: boolean): Binding {
  if (simulator) return bindingFor(null, SIMULATED_KEY);
  if (!config.runflowApiKey) throw new ConfigurationError(NO_KEY);
  return bindingFor(config.runflowBaseUrl, config.runflowApiKey);
}

/**
 * The client of a command: the in-process simulator's when there is one (a rehearsal), else the
 * configured endpoint's; its requests are counted into Redis for the dashboard.
 */
export function clientFor(
  deps: QueueDeps,
  simulator: { readonly url: string } | null,
  limits: ClientLimits = {},
): RunflowClient {
  return simulator
    ? runflowClientFor(deps.config, deps.logger, simulator.url, SIMULATED_KEY, deps, limits)
    : runflowClientFor(deps.config, deps.logger, undefined, undefined, deps, limits);
}

/** How hard a client may press Runflow. */
export interface ClientLimits {
  /** `--max-rps`; undefined: RUNFLOW_MAX_RPS; null/none: adapt to 429s. Shared through Redis with `stats`. */
  readonly maxRps?: number | null | undefined;
  /** Runs in flight at once: the API socket pool is sized for it (at least 64). */
  readonly concurrency?: number | undefined;
}

/** With `stats`, the client's requests, 429s and latencies are counted into Redis for the dashboard's /metrics. */
export function runflowClientFor(
  config: Config,
  logger: Logger,
  baseUrl?: string,
  apiKey?: string,
  stats?: { readonly redis: Redis; readonly keys: Keys },
  limits: ClientLimits = {},
): RunflowClient {
  const key = apiKey ?? config.runflowApiKey;
  if (!key) throw new ConfigurationError(NO_KEY);
  const endpoint = baseUrl ?? config.runflowBaseUrl;
  const connections = Math.min(4_096, Math.max(64, limits.concurrency ?? 256));
  const client = createRunflowClient({ baseUrl: endpoint, apiKey: key, logger, connections });
  // Requests are counted as sent (429s included), beneath the limiter.
  const counted = stats ? withRequestStats(client, statsOptions(stats, logger)) : client;
  const maxRps = limits.maxRps === undefined ? config.maxRps : limits.maxRps;
  const limiter =
    maxRps !== null && stats
      ? createSharedLimiter({
          redis: stats.redis,
          key: stats.keys.rateLimit(bindingId(bindingFor(endpoint, key))),
          maxRps,
          logger,
        })
      : createAdaptiveLimiter({
          // Start from what the account is known to take (the fastest second without a 429).
          store: stats
            ? createKnownRateStore(stats.redis, stats.keys.knownRate(bindingId(bindingFor(endpoint, key))))
            : undefined,
          onStoreError: (err) =>
            logger.debug({ err }, "Could not read or keep the account's known request rate in Redis."),
        });
  return withRateLimit(counted, limiter);
}

function statsOptions(
  stats: { readonly redis: Redis; readonly keys: Keys },
  logger: Logger,
): RequestStatsOptions {
  const sink = createApiStats(stats.redis, stats.keys);
  const onFlushError = (err: unknown) =>
    logger.debug({ err }, "Could not add the API request counts to Redis; keeping them for the next try.");
  return { sink: (delta) => sink.add(delta), onFlushError };
}
