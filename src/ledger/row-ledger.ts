/**
 * One row's bookkeeping, for the worker: reserve its budget (and find out whether it is already
 * recorded or has a run to resume), save its run id, and record how it ended, once. Reserving
 * and recording are Lua scripts (lua/), so the budget cap holds exactly and nothing is counted
 * twice with any number of workers.
 */
import type { Redis } from "ioredis";
import type { StoredResult } from "../ledger/stored-result.js";
import { tierLabel, type Keys } from "./keys.js";
import { withLedgerScripts, type ScriptedRedis } from "./lua-scripts.js";

export interface Reservation {
  readonly granted: boolean;
  /** The row already has a recorded result (another worker finished it). */
  readonly alreadyRecorded: boolean;
  /** The row already has a run: resume waiting on it (nothing was reserved or marked). */
  readonly runId: string | null;
  /** The batch is stopping and the row has no run: nothing is submitted (canceled: reservation freed). */
  readonly canceled: boolean;
  /** When granted: when the first create POST with an unknown answer went out (now, if none). */
  readonly firstPostMs: number;
  readonly committedMicros: number;
  readonly capMicros: number | null;
  /** 50, 80 or 100 when this reservation crossed that share of the cap for the first time. */
  readonly crossedPercent: number | null;
}

export interface RowLedger {
  /** In one round trip: recorded already? a run to resume? else reserve `amountMicros` under the cap. */
  reserve(
    batchId: string,
    row: string,
    amountMicros: number,
    tier: string,
    nowMs?: number,
  ): Promise<Reservation>;
  /** Saves the row's run id (a restarted attempt resumes it) with the content it was created with. */
  saveRunId(batchId: string, row: string, runId: string, contentSha: string): Promise<void>;
  /** The content fingerprint the row's saved run was created with (null for runs saved before it was kept). */
  runSha(batchId: string, row: string): Promise<string | null>;
  /** The row's saved run id, or null. */
  runOf(batchId: string, row: string): Promise<string | null>;
  /** Runflow answered the POST with a definite "not created" (402, 429, 4xx): the guard resets. */
  clearPosting(batchId: string, row: string): Promise<void>;
  /**
   * Records the row's result once, settling its reservation to `cost_micros`. True when this call
   * recorded it; false when it was already recorded (nothing but a stray reservation changes).
   */
  record(batchId: string, result: StoredResult): Promise<boolean>;
  /** Whether the row already has a recorded result. */
  isRecorded(batchId: string, row: string): Promise<boolean>;
  /**
   * Reopens recorded rows (reopen-row.lua): `again` makes each a new attempt (a failed or changed
   * row; its result joins the row's history), `retire` takes rows the manifest no longer has out
   * of the batch (listed as removed). What they cost stays spent. Returns how many were reopened.
   */
  reopen(batchId: string, rows: readonly string[], mode: "again" | "retire"): Promise<number>;
  /**
   * Takes results the batch's directory proves (a ledger rebuilt after Redis lost it) back into
   * the ledger as if recorded now: counters, spent money and attempt numbers follow them.
   */
  adopt(batchId: string, results: readonly StoredResult[]): Promise<void>;
  /** Attempt numbers of these rows (1 for a row never reopened). */
  attempts(batchId: string, rows: readonly string[]): Promise<number[]>;
}

/** record-row.lua: the row's result, once, settling its reservation. True when this call recorded it. */
async function recordRow(scripted: ScriptedRedis, keys: Keys, batchId: string, result: StoredResult) {
  const recorded = await scripted.rfbRecordRow(
    // KEYS
    keys.batch(batchId),
    keys.reservations(batchId),
    keys.results(batchId),
    keys.held(batchId),
    keys.tiers(batchId),
    keys.posting(batchId),
    // ARGV
    result.id,
    JSON.stringify(result),
    result.status,
    result.cost_micros,
    result.images.length,
    result.estimated_micros,
    tierLabel(result.model, result.quality),
  );
  return recorded === 1;
}

/** reserve-row.lua, in one round trip: recorded already? a run to resume? else reserve under the cap. */
async function reserveRow(
  scripted: ScriptedRedis,
  keys: Keys,
  batchId: string,
  row: { key: string; amount: number; tier: string; nowMs: number },
): Promise<Reservation> {
  const [code, committed, cap, crossed, firstPost, runId] = await scripted.rfbReserveRow(
    // KEYS
    keys.batch(batchId),
    keys.reservations(batchId),
    keys.held(batchId),
    keys.tiers(batchId),
    keys.results(batchId),
    keys.runs(batchId),
    keys.posting(batchId),
    // ARGV
    row.key,
    row.amount,
    row.tier,
    row.nowMs,
  );
  return {
    granted: code === 1,
    alreadyRecorded: code === 2,
    runId: code === 3 ? runId : null,
    canceled: code === 4,
    firstPostMs: firstPost,
    committedMicros: committed,
    capMicros: cap < 0 ? null : cap,
    crossedPercent: crossed > 0 ? crossed : null,
  };
}

/** reopen-row.lua for one row; 1 when it was reopened. */
function reopenRow(
  scripted: ScriptedRedis,
  keys: Keys,
  batchId: string,
  row: string,
  mode: "again" | "retire",
) {
  const target = mode === "again" ? keys.history(batchId) : keys.removed(batchId);
  return scripted.rfbReopenRow(
    // KEYS
    keys.batch(batchId),
    keys.results(batchId),
    keys.runs(batchId),
    keys.posting(batchId),
    keys.tiers(batchId),
    target,
    keys.attempts(batchId),
    keys.runShas(batchId),
    // ARGV
    row,
    mode,
  );
}

export function createRowLedger(redis: Redis, keys: Keys): RowLedger {
  const scripted = withLedgerScripts(redis);
  const record = (batchId: string, result: StoredResult) => recordRow(scripted, keys, batchId, result);
  return {
    reserve: (batchId, row, amount, tier, nowMs = Date.now()) =>
      reserveRow(scripted, keys, batchId, { key: row, amount, tier, nowMs }),
    async saveRunId(batchId, row, runId, contentSha) {
      // Sent together (one socket write with auto-pipelining). The unanswered-POST guard stays
      // until the row is recorded or reopened: with a run id saved, reserve resumes the run first.
      await Promise.all([
        redis.hset(keys.runs(batchId), row, runId),
        redis.hset(keys.runShas(batchId), row, contentSha),
      ]);
    },
    runSha: (batchId, row) => redis.hget(keys.runShas(batchId), row),
    runOf: (batchId, row) => redis.hget(keys.runs(batchId), row),
    async clearPosting(batchId, row) {
      await redis.hdel(keys.posting(batchId), row);
    },
    record,
    async reopen(batchId, rows, mode) {
      const replies = await Promise.all(rows.map((row) => reopenRow(scripted, keys, batchId, row, mode)));
      return replies.reduce((sum, n) => sum + n, 0);
    },
    async adopt(batchId, results) {
      const later = results.filter((r) => (r.attempt ?? 1) > 1);
      if (later.length > 0)
        await redis.hset(keys.attempts(batchId), ...later.flatMap((r) => [r.id, String(r.attempt)]));
      await Promise.all(results.map((result) => record(batchId, result)));
    },
    async attempts(batchId, rows) {
      if (rows.length === 0) return [];
      const stored = await redis.hmget(keys.attempts(batchId), ...rows);
      return stored.map((text) => (text === null ? 1 : Number(text)));
    },
    async isRecorded(batchId, row) {
      return (await redis.hexists(keys.results(batchId), row)) === 1;
    },
  };
}
