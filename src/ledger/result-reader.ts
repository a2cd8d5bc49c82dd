/**
 * Reading what the batch's rows have come to, for reports, status and the producer: recorded
 * results (parsed), run ids, rows held by the cap, per-tier counters. Reads only.
 */
import type { Redis } from "ioredis";
import type { StoredResult } from "../queue/job-data.js";
import type { Keys } from "../queue/keys.js";
import { parseStoredResult } from "./stored-result.js";

export interface ResultReader {
  /** Recorded results of these rows (null where not recorded), in the same order. */
  results(batchId: string, rows: readonly string[]): Promise<(StoredResult | null)[]>;
  /** Which of these rows already have a recorded result. */
  terminalRows(batchId: string, rows: readonly string[]): Promise<boolean[]>;
  /** Run ids saved for these rows (null where none). */
  runIds(batchId: string, rows: readonly string[]): Promise<(string | null)[]>;
  /** Row keys held back by the budget cap. */
  heldRows(batchId: string): Promise<string[]>;
  /** Raw per-tier counters ("model|quality|counter" → value). */
  tierCounters(batchId: string): Promise<Record<string, number>>;
  /** Every recorded result, each row once, in no particular order (streamed in pages). */
  scanResults(batchId: string): AsyncIterable<StoredResult>;
}

export function createResultReader(redis: Redis, keys: Keys): ResultReader {
  return {
    async results(batchId, rows) {
      if (rows.length === 0) return [];
      const texts = await redis.hmget(keys.results(batchId), ...rows);
      return texts.map((text, i) => (text === null ? null : parseStoredResult(batchId, rows[i] as string, text)));
    },
    async terminalRows(batchId, rows) {
      if (rows.length === 0) return [];
      const pipeline = redis.pipeline();
      for (const row of rows) pipeline.hexists(keys.results(batchId), row);
      const replies = (await pipeline.exec()) ?? [];
      return replies.map(([, exists]) => exists === 1);
    },
    async runIds(batchId, rows) {
      return rows.length === 0 ? [] : redis.hmget(keys.runs(batchId), ...rows);
    },
    heldRows: (batchId) => redis.smembers(keys.held(batchId)),
    async tierCounters(batchId) {
      const raw = await redis.hgetall(keys.tiers(batchId));
      return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, Number.parseInt(v, 10) || 0]));
    },
    async *scanResults(batchId) {
      // HSCAN may return an entry twice while the hash grows: each row is yielded once.
      const seen = new Set<string>();
      let cursor = "0";
      do {
        const [next, flat] = await redis.hscan(keys.results(batchId), cursor, "COUNT", 1000);
        cursor = next;
        for (let i = 0; i + 1 < flat.length; i += 2) {
          const row = flat[i] as string;
          if (seen.has(row)) continue;
          seen.add(row);
          yield parseStoredResult(batchId, row, flat[i + 1] as string);
        }
      } while (cursor !== "0");
    },
  };
}
