/**
 * Batch records in Redis: create (or find again) a batch, read one or the most recent, and the
 * two changes made from outside the row scripts: its state and its budget cap. Reports and
 * status read these; they never depend on BullMQ's job retention.
 */
import type { Redis } from "ioredis";
import { BatchGoneError } from "../core/errors.js";
import type { Keys } from "./keys.js";
import {
  batchFields,
  parseBatchRecord,
  submissionFields,
  type BatchRecord,
  type BatchState,
  type NewSubmission,
  type FinalState,
  type NewBatch,
} from "./batch-record.js";
import { moveLegacyBatch } from "./legacy-layout.js";
import { withLedgerScripts } from "./lua-scripts.js";

export interface BatchRecords {
  /** Creates the batch, or returns the existing one with the same id (a resumed run). */
  create(batch: NewBatch, now: Date): Promise<{ record: BatchRecord; created: boolean }>;
  get(id: string): Promise<BatchRecord | null>;
  /** A re-run's manifest, rows, estimate and prices replace the submission's (binding and id stay). */
  refresh(id: string, submission: NewSubmission): Promise<void>;
  /** Newest first. */
  list(limit: number): Promise<BatchRecord[]>;
  /**
   * "running" also notes when the batch first started. "running" and "submitted" open the batch
   * again (a re-run, a retry, a resubmit): its end and any cancel request are forgotten.
   */
  setState(id: string, state: BatchState, now?: Date): Promise<void>;
  /** A worker starting on the batch: submitted → running, once. True when this call started it. */
  start(id: string, now?: Date): Promise<boolean>;
  /** Ends the batch in `state`, once: true for the one caller that ended it (it reports and notifies). */
  finish(id: string, state: FinalState, reason: string | null, now?: Date): Promise<boolean>;
  /** The process that ended the batch has written its reports (and notified). */
  setReported(id: string, now?: Date): Promise<void>;
  /** `cancel`: from now on nothing more of the batch is submitted (rows in flight finish). */
  requestCancel(id: string, now?: Date): Promise<void>;
  /** A worker gives up (`--give-up-after`): nothing more is submitted; rows never run end failed. */
  giveUp(id: string, reason: string, now?: Date): Promise<void>;
  /** Where the batch's summary is POSTed when it ends. */
  setNotifyUrl(id: string, url: string): Promise<void>;
  /**
   * Removes a batch created by a command that then failed before queueing anything (its record,
   * budget history and listing), so no ghost "submitted 0/N" batch is left behind.
   */
  discard(id: string): Promise<void>;
  /** Hands the next `count` rows to a feeder: returns the end of its stretch (its start is end − count). */
  claimFeed(id: string, count: number): Promise<number>;
  /** Feeding starts again from the first row (rows reopened by `retry` are queued again). */
  resetFeed(id: string): Promise<void>;
  /** A new cap (null: none), set atomically: unblocks the batch and re-arms the 50/80/100 % warnings. */
  setCap(id: string, capMicros: number | null): Promise<void>;
}

/** The record with its held-set and reservation counts, in one round trip. */
async function readBatch(redis: Redis, keys: Keys, id: string): Promise<BatchRecord | null> {
  const replies = await redis
    .multi()
    .hgetall(keys.batch(id))
    .scard(keys.held(id))
    .hlen(keys.reservations(id))
    .exec();
  const [[, hash], [, held], [, inFlight]] = replies as [
    [unknown, Record<string, string>],
    [unknown, number],
    [unknown, number],
  ];
  return parseBatchRecord(id, hash, held, inFlight);
}

/** The fields a state change also clears or sets: "running" notes its start; both reopen the batch. */
function stateChange(redis: Redis, keys: Keys, id: string, state: BatchState, now: Date) {
  const multi = redis.multi().hset(keys.batch(id), "state", state);
  if (state === "running") multi.hsetnx(keys.batch(id), "started_at", now.toISOString());
  if (state === "running" || state === "submitted")
    multi.hdel(keys.batch(id), "ended_at", "end_reason", "cancel_requested_at", "stop_reason", "reported_at");
  return multi;
}

export function createBatchRecords(redis: Redis, keys: Keys): BatchRecords {
  const scripted = withLedgerScripts(redis);
  const read = (id: string) => readBatch(redis, keys, id);
  /** A batch the earlier key layout holds is moved on its first read (legacy-layout.ts). */
  const get = async (id: string): Promise<BatchRecord | null> =>
    (await read(id)) ?? ((await moveLegacyBatch(redis, keys, id)) ? read(id) : null);
  return {
    get,
    async create(batch, now) {
      const fields = Object.entries(batchFields(batch, now)).flat();
      const created = (await scripted.rfbCreateBatch(keys.batch(batch.id), batch.id, ...fields)) === 1;
      const record = await get(batch.id);
      if (!record) throw new BatchGoneError(batch.id, null); // Redis flushed or restarted meanwhile
      // Listed apart from the record (the set is global: another cluster slot), every time, so a
      // process that died between the two steps is healed by the next one; NX keeps the first time.
      const since = Date.parse(record.submission.createdAt);
      await redis.zadd(keys.batches, "NX", Number.isNaN(since) ? now.getTime() : since, batch.id);
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
      await stateChange(redis, keys, id, state, now).exec();
    },
    async start(id, now = new Date()) {
      return (await scripted.rfbStartBatch(keys.batch(id), now.toISOString())) === 1;
    },
    async finish(id, state, reason, now = new Date()) {
      return (await scripted.rfbFinishBatch(keys.batch(id), state, now.toISOString(), reason ?? "")) === 1;
    },
    async setReported(id, now = new Date()) {
      await redis.hset(keys.batch(id), "reported_at", now.toISOString());
    },
    async requestCancel(id, now = new Date()) {
      await redis.hsetnx(keys.batch(id), "cancel_requested_at", now.toISOString());
    },
    async giveUp(id, reason, now = new Date()) {
      await redis
        .multi()
        .hsetnx(keys.batch(id), "stop_reason", reason)
        .hsetnx(keys.batch(id), "cancel_requested_at", now.toISOString())
        .exec();
    },
    async setNotifyUrl(id, url) {
      await redis.hset(keys.batch(id), "notify_url", url);
    },
    async discard(id) {
      // The batch's keys (one slot), then its listing (the global set: another slot).
      await redis.del(keys.batch(id), keys.budgetHistory(id), keys.tiers(id), keys.rows(id), keys.order(id));
      await redis.zrem(keys.batches, id);
    },
    claimFeed: (id, count) => redis.hincrby(keys.batch(id), "fed", count),
    async resetFeed(id) {
      await redis.hset(keys.batch(id), "fed", 0);
    },
    async setCap(id, capMicros) {
      await scripted.rfbSetCap(keys.batch(id), capMicros === null ? "" : String(capMicros));
    },
  };
}
