/**
 * The batch's rows in Redis, as the manifest pass validated and priced them (stored-row.ts): the
 * one copy every later step reads — the feeder that queues them, the worker that runs them, the
 * reports that list them — so nothing reads the manifest twice.
 *
 * A pass writes into a staging area (expiring, in case the process dies) and `commit` swaps it
 * in atomically, after the manifest proved valid: an invalid manifest never changes a batch.
 */
import { randomBytes } from "node:crypto";
import type { Redis } from "ioredis";
import type { Keys } from "./keys.js";
import { withLedgerScripts } from "./lua-scripts.js";
import { parseStoredRow, type StoredRow } from "./stored-row.js";

/** Staged rows live this long if the pass that wrote them never commits or discards them. */
const STAGING_TTL_S = 24 * 3_600;

export interface KeyedRow {
  readonly key: string;
  readonly row: StoredRow;
}

export interface RowStaging {
  /** Adds rows, in manifest order (one round trip per call). */
  add(rows: readonly KeyedRow[]): Promise<void>;
  /** The staged rows become the batch's rows (and its CSV metadata columns); returns how many. */
  commit(metadataKeys: readonly string[]): Promise<number>;
  discard(): Promise<void>;
}

export interface RowStore {
  stage(batchId: string): RowStaging;
  /** These rows (null where the batch has no such row), in the same order. */
  get(batchId: string, keys: readonly string[]): Promise<(StoredRow | null)[]>;
  /** Which of these rows the batch has. */
  has(batchId: string, keys: readonly string[]): Promise<boolean[]>;
  /** Row keys from position `start` (0-based), at most `count` of them, in manifest order. */
  keysAt(batchId: string, start: number, count: number): Promise<string[]>;
  count(batchId: string): Promise<number>;
  /** Every row in manifest order, in chunks of `size`. */
  chunks(batchId: string, size?: number): AsyncIterable<KeyedRow[]>;
}

export function createRowStore(redis: Redis, keys: Keys): RowStore {
  const scripted = withLedgerScripts(redis);
  const get = async (batchId: string, rows: readonly string[]): Promise<(StoredRow | null)[]> => {
    if (rows.length === 0) return [];
    const texts = await redis.hmget(keys.rows(batchId), ...rows);
    return texts.map((text, i) => (text === null ? null : parseStoredRow(batchId, rows[i] as string, text)));
  };
  const keysAt = (batchId: string, start: number, count: number) =>
    count <= 0 ? Promise.resolve([]) : redis.lrange(keys.order(batchId), start, start + count - 1);
  return {
    get,
    keysAt,
    count: (batchId) => redis.llen(keys.order(batchId)),
    async has(batchId, rows) {
      if (rows.length === 0) return [];
      const pipeline = redis.pipeline();
      for (const row of rows) pipeline.hexists(keys.rows(batchId), row);
      const replies = (await pipeline.exec()) ?? [];
      return replies.map(([, exists]) => exists === 1);
    },
    stage(batchId) {
      const token = randomBytes(6).toString("hex");
      const staged = keys.staging(batchId, token, "rows");
      const order = keys.staging(batchId, token, "order");
      return {
        async add(rows) {
          if (rows.length === 0) return;
          const fields: string[] = [];
          for (const { key, row } of rows) fields.push(key, JSON.stringify(row));
          await redis
            .multi()
            .hset(staged, ...fields)
            .rpush(order, ...rows.map((r) => r.key))
            .expire(staged, STAGING_TTL_S)
            .expire(order, STAGING_TTL_S)
            .exec();
        },
        async commit(metadataKeys) {
          return scripted.rfbCommitRows(
            staged,
            order,
            keys.rows(batchId),
            keys.order(batchId),
            keys.batch(batchId),
            JSON.stringify(metadataKeys),
          );
        },
        async discard() {
          await redis.del(staged, order);
        },
      };
    },
    async *chunks(batchId, size = 500) {
      for (let start = 0; ; start += size) {
        const rowKeys = await keysAt(batchId, start, size);
        if (rowKeys.length === 0) return;
        const rows = await get(batchId, rowKeys);
        const chunk: KeyedRow[] = [];
        rowKeys.forEach((key, i) => {
          const row = rows[i];
          if (row) chunk.push({ key, row });
        });
        yield chunk;
        if (rowKeys.length < size) return;
      }
    },
  };
}
