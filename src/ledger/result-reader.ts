/**
 * Reading what the batch's rows have come to, for reports, status and the producer: recorded
 * results (parsed), run ids, rows held by the cap, per-tier counters. Reads only.
 */
import type { Redis } from "ioredis";
import type { StoredResult } from "../ledger/stored-result.js";
import type { Keys } from "./keys.js";
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
  /** Results of rows the manifest no longer has (listed as removed). */
  scanRemoved(batchId: string): AsyncIterable<StoredResult>;
  /** Earlier attempts of rows that ran again: what they cost stays in the cost figures. */
  scanHistory(batchId: string): AsyncIterable<StoredResult>;
}

export function createResultReader(redis: Redis, keys: Keys): ResultReader {
  return {
    async results(batchId, rows) {
      if (rows.length === 0) return [];
      const texts = await redis.hmget(keys.results(batchId), ...rows);
      return texts.map((text, i) =>
        text === null ? null : parseStoredResult(batchId, rows[i] as string, text),
      );
    },
    async terminalRows(batchId, rows) {
      // One command for the chunk: a fresh batch has no results, a re-run's are short JSON lines.
      if (rows.length === 0) return [];
      return (await redis.hmget(keys.results(batchId), ...rows)).map((text) => text !== null);
    },
    async runIds(batchId, rows) {
      return rows.length === 0 ? [] : redis.hmget(keys.runs(batchId), ...rows);
    },
    heldRows: (batchId) => redis.smembers(keys.held(batchId)),
    async tierCounters(batchId) {
      const raw = await redis.hgetall(keys.tiers(batchId));
      return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, Number.parseInt(v, 10) || 0]));
    },
    scanResults: (batchId) => scanHash(redis, batchId, keys.results(batchId)),
    scanRemoved: (batchId) => scanHash(redis, batchId, keys.removed(batchId)),
    scanHistory: (batchId) => scanHash(redis, batchId, keys.history(batchId)),
  };
}

/** A hash of row → result JSON (one or, for history, several lines), each row once. */
async function* scanHash(redis: Redis, batchId: string, key: string): AsyncIterable<StoredResult> {
  // HSCAN may return an entry twice while the hash grows: each row is yielded once.
  const seen = new Set<string>();
  let cursor = "0";
  do {
    const [next, flat] = await redis.hscan(key, cursor, "COUNT", 1000);
    cursor = next;
    for (let i = 0; i + 1 < flat.length; i += 2) {
      const row = flat[i] as string;
      if (seen.has(row)) continue;
      seen.add(row);
      for (const text of (flat[i + 1] as string).split("\n")) yield parseStoredResult(batchId, row, text);
    }
  } while (cursor !== "0");
}
