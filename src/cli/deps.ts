/**
 * Builds what the queue commands share: configuration, logger, a checked Redis connection, the
 * batch store, and the Runflow client (pointed at an in-process simulator with --simulate).
 */
import type { Redis } from "ioredis";
import { isInteractive, readConfig, type Config } from "../config/config.js";
import { ConfigurationError, UsageError } from "../errors.js";
import { parseUsd } from "../pricing/money.js";
import { createLogger, type Logger } from "../log/logger.js";
import { createBatchStore, type BatchStore } from "../queue/batch-store.js";
import { connectRedis, warnOnUnsafeEviction } from "../queue/connection.js";
import { createKeys, type Keys } from "../queue/keys.js";
import { createRunflowClient } from "../runflow/client.js";
import type { RunflowClient } from "../runflow/types.js";
import type { CliIo } from "./context.js";

export interface QueueDeps {
  readonly config: Config;
  readonly logger: Logger;
  readonly redis: Redis;
  readonly keys: Keys;
  readonly store: BatchStore;
  close(): Promise<void>;
}

export function loggerFor(io: CliIo, config: Config): Logger {
  return createLogger({ level: config.logLevel, pretty: isInteractive(io.stderr, io.env) });
}

export async function openQueueDeps(io: CliIo): Promise<QueueDeps> {
  const config = readConfig({}, io.env);
  const logger = loggerFor(io, config);
  const redis = await connectRedis(config.redisUrl);
  await warnOnUnsafeEviction(redis, logger);
  const keys = createKeys(config.redisPrefix);
  return {
    config,
    logger,
    redis,
    keys,
    store: createBatchStore(redis, keys),
    async close() {
      await redis.quit().catch(() => redis.disconnect());
      logger.flush?.();
    },
  };
}

export function runflowClientFor(config: Config, logger: Logger, baseUrl?: string, apiKey?: string): RunflowClient {
  const key = apiKey ?? config.runflowApiKey;
  if (!key) throw new ConfigurationError("no Runflow API key: set RUNFLOW_API_KEY (keys look like rf_live_…), or use --simulate to rehearse offline");
  return createRunflowClient({ baseUrl: baseUrl ?? config.runflowBaseUrl, apiKey: key, logger, connections: 256 });
}

export function parsePositiveInt(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag} must be a whole number of at least 1, got ${JSON.stringify(value)}`);
  return n;
}

/** "25" or "25.50" → micro-dollars; a usage error names the flag otherwise. */
export function parseUsdFlag(flag: string, value: string | undefined): number | null {
  if (value === undefined) return null;
  try {
    return parseUsd(value);
  } catch {
    throw new UsageError(`${flag} must be a dollar amount such as 25 or 12.50, got ${JSON.stringify(value)}`);
  }
}
