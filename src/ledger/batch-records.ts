/**
 * Batch records in Redis: create (or find again) a batch, read one or the most recent, and the
 * two changes made from outside the row scripts: its state and its budget cap. Reports and
 * status read these; they never depend on BullMQ's job retention.
 */
import type { Redis } from "ioredis";
import type { Keys } from "../queue/keys.js";
import {
  batchFields,
  parseBatchRecord,
  submissionFields,
  type BatchRecord,
  type BatchState,
  type BatchSubmission,
  type NewBatch,
} from "./batch-record.js";
import { withLedgerScripts } from "./lua-scripts.js";

export interface BatchRecords {
  /** Creates the batch, or returns the existing one with the same id (a resumed run). */
  create(batch: NewBatch, now: Date): Promise<{ record: BatchRecord; created: boolean }>;
  get(id: string): Promise<BatchRecord | null>;
  /** A re-run's manifest, rows, estimate and prices replace the submission's (binding and id stay). */
  refresh(id: string, submission: Omit<BatchSubmission, "createdAt">): Promise<void>;
  /** Newest first. */
  list(limit: number): Promise<BatchRecord[]>;
  /** "running" also notes when the batch first started. */
  setState(id: string, state: BatchState, now?: Date): Promise<void>;
  /** A new cap (null: none), set atomically: unblocks the batch and re-arms the 50/80/100 % warnings. */
  setCap(id: string, capMicros: number | null): Promise<void>;
}

export function createBatchRecords(redis: Redis, keys: Keys): BatchRecords {
  const scripted = withLedgerScripts(redis);
  const get = async (id: string): Promise<BatchRecord | null> => {
    const replies = await redis.multi().hgetall(keys.batch(id)).scard(keys.held(id)).hlen(keys.reservations(id)).exec();
    const [[, hash], [, held], [, inFlight]] = replies as [[unknown, Record<string, string>], [unknown, number], [unknown, number]];
    return parseBatchRecord(id, hash, held, inFlight);
  };
  return {
    get,
    async create(batch, now) {
      const fields = Object.entries(batchFields(batch, now)).flat();
      const created = (await scripted.rfbCreateBatch(keys.batch(batch.id), keys.batches, batch.id, now.getTime(), ...fields)) === 1;
      const record = await get(batch.id);
      if (!record) throw new Error(`batch ${batch.id} vanished from Redis while being created`);
      return { record, created };
    },
    async refresh(id, submission) {
      await redis.hset(keys.batch(id), submissionFields(submission));
    },
    async list(limit) {
      const ids = await redis.zrevrange(keys.batches, 0, Math.max(0, limit - 1));
      const records = await Promise.all(ids.map(get));
      return records.filter((r): r is BatchRecord => r !== null);
    },
    async setState(id, state, now = new Date()) {
      const multi = redis.multi().hset(keys.batch(id), "state", state);
      if (state === "running") multi.hsetnx(keys.batch(id), "started_at", now.toISOString());
      await multi.exec();
    },
    async setCap(id, capMicros) {
      await scripted.rfbSetCap(keys.batch(id), capMicros === null ? "" : String(capMicros));
    },
  };
}
