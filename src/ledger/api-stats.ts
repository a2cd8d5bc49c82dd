/**
 * Runflow API request counters of every process, in one Redis hash under the prefix: each
 * process adds what it counted (src/runflow/request-stats.ts) in one HINCRBY pipeline; the
 * dashboard's /metrics reads the sums.
 */
import type { Redis } from "ioredis";
import type { Keys } from "./keys.js";

export interface ApiStats {
  add(delta: Readonly<Record<string, number>>): Promise<void>;
  read(): Promise<Record<string, number>>;
}

export function createApiStats(redis: Redis, keys: Keys): ApiStats {
  return {
    async add(delta) {
      const entries = Object.entries(delta).filter(([, n]) => Number.isSafeInteger(n) && n !== 0);
      if (entries.length === 0) return;
      const pipeline = redis.pipeline();
      for (const [field, n] of entries) pipeline.hincrby(keys.apiStats, field, n);
      const replies = (await pipeline.exec()) ?? [];
      const failed = replies.find(([error]) => error !== null);
      if (failed?.[0]) throw failed[0];
    },
    async read() {
      const raw = await redis.hgetall(keys.apiStats);
      return Object.fromEntries(
        Object.entries(raw).map(([field, value]) => [field, Number.parseInt(value, 10) || 0]),
      );
    },
  };
}
