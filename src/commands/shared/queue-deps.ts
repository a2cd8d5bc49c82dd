/**
 * Builds what the queue commands share: configuration, logger, a checked Redis connection, the
 * batch store, and the Runflow client (pointed at an in-process simulator with --simulate).
 */
import type { Redis } from "ioredis";
import { isInteractive, readConfig, type Config } from "../../config/config.js";
import { ConfigurationError } from "../../core/errors.js";
import { createLogger, type Logger } from "../../log/logger.js";
import { createBatchStore, type BatchStore } from "../../ledger/batch-store.js";
import { connectRedis, warnOnUnsafeEviction } from "../../queue/connection.js";
import { createKeys, type Keys } from "../../queue/keys.js";
import { resolveRedisUrl } from "../../redis/resolve-url.js";
import { createRunflowClient } from "../../runflow/client.js";
import type { RunflowClient } from "../../runflow/types.js";
import type { CommandIo } from "../context.js";

export interface QueueDeps {
  readonly config: Config;
  readonly logger: Logger;
  readonly redis: Redis;
  readonly keys: Keys;
  readonly store: BatchStore;
  close(): Promise<void>;
}

function loggerFor(io: CommandIo, config: Config): Logger {
  return createLogger({ level: config.logLevel, pretty: isInteractive(io.stderr, io.env) });
}

export async function openQueueDeps(io: CommandIo): Promise<QueueDeps> {
  const config = readConfig({}, io.env);
  const logger = loggerFor(io, config);
  const choice = await resolveRedisUrl(config); // REDIS_URL, the default address, or the managed local Redis
  if (choice.note) io.stderr.write(`${choice.note}\n`);
  const redis = await connectRedis(choice.url);
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
