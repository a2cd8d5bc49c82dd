/**
 * The batch record in Redis: what was submitted (manifest, rows, estimate, prices, options) and
 * how far it has got (counters kept by the Lua scripts). Reports and status read it; they never
 * depend on BullMQ's job retention.
 */
import type { Redis } from "ioredis";
import type { Keys } from "../queue/keys.js";
import { createBatchScripts, type BatchScripts } from "./scripts.js";

export type BatchState = "submitted" | "running" | "done" | "budget" | "failed-rows";

export interface BatchSpec {
  readonly id: string;
  readonly manifest: string;
  readonly manifestSha256: string;
  /** The manifest reading options (input format, --model/--quality defaults) as JSON. */
  readonly manifestOptionsJson: string;
  readonly rows: number;
  readonly invalidRows: number;
  readonly estimateMicros: number;
  /** costSummaryJson of the estimate, kept for reports of unfinished batches. */
  readonly estimateJson: string;
  /** The price table the batch was estimated with; workers price with the same one. */
  readonly pricesJson: string;
  /** Where images go when the worker is not told otherwise. */
  readonly out: string;
  readonly capMicros: number | null;
}

export interface BatchRecord extends BatchSpec {
  readonly createdAt: string;
  readonly state: BatchState;
  readonly succeeded: number;
  readonly failed: number;
  readonly images: number;
  readonly spentMicros: number;
  readonly reservedMicros: number;
  readonly doneEstimateMicros: number;
  readonly budgetBlocked: boolean;
  readonly held: number;
  /** Rows holding a budget reservation: submitted to Runflow (or about to be) and not yet recorded. */
  readonly inFlight: number;
  /** When a worker or `run` first started on the batch; empty before. */
  readonly startedAt: string;
}

export interface BatchStore extends BatchScripts {
  /** Creates the batch, or returns the existing one with the same id (a resumed run). */
  create(spec: BatchSpec, now: Date): Promise<{ record: BatchRecord; created: boolean }>;
  get(id: string): Promise<BatchRecord | null>;
  /** Newest first. */
  list(limit: number): Promise<BatchRecord[]>;
  setState(id: string, state: BatchState): Promise<void>;
  /** Row keys held back by the budget cap. */
  heldRows(id: string): Promise<string[]>;
  /** Run ids saved for rows (rowKey → run id) for the given keys. */
  runIds(id: string, rows: readonly string[]): Promise<(string | null)[]>;
  saveRunId(id: string, row: string, runId: string): Promise<void>;
  /** Runflow answered the POST with a definite "not created" (402, 429, 4xx): the guard resets. */
  clearPosting(id: string, row: string): Promise<void>;
  /** Recorded result JSON of these rows (null where not recorded). */
  results(id: string, rows: readonly string[]): Promise<(string | null)[]>;
  /** Which of these rows already have a recorded result. */
  terminalRows(id: string, rows: readonly string[]): Promise<boolean[]>;
  /** Raw per-tier counters ("model|quality|counter" → value). */
  tierCounters(id: string): Promise<Record<string, number>>;
  /** Streams recorded results (row key, result JSON) in batches. */
  scanResults(id: string): AsyncIterable<[string, string]>;
}

const int = (value: string | undefined): number => (value ? Number.parseInt(value, 10) : 0);

function toRecord(h: Record<string, string>, held: number, inFlight: number): BatchRecord {
  return {
    id: h.id ?? "",
    manifest: h.manifest ?? "",
    manifestSha256: h.manifest_sha256 ?? "",
    manifestOptionsJson: h.manifest_options ?? "{}",
    rows: int(h.rows),
    invalidRows: int(h.invalid_rows),
    estimateMicros: int(h.estimate_micros),
    estimateJson: h.estimate_json ?? "{}",
    pricesJson: h.prices_json ?? "{}",
    out: h.out ?? "",
    capMicros: h.cap_micros ? int(h.cap_micros) : null,
    createdAt: h.created_at ?? "",
    state: (h.state ?? "submitted") as BatchState,
    succeeded: int(h.succeeded),
    failed: int(h.failed),
    images: int(h.images),
    spentMicros: int(h.spent_micros),
    reservedMicros: int(h.reserved_micros),
    doneEstimateMicros: int(h.done_estimate_micros),
    budgetBlocked: h.budget_blocked === "1",
    held,
    inFlight,
    startedAt: h.started_at ?? "",
  };
}

export function createBatchStore(redis: Redis, keys: Keys): BatchStore {
  const scripts = createBatchScripts(redis, keys);
  const get = async (id: string): Promise<BatchRecord | null> => {
    const [[, hash], [, held], [, inFlight]] = (await redis
      .multi()
      .hgetall(keys.batch(id))
      .scard(keys.held(id))
      .hlen(keys.reservations(id))
      .exec()) as [[unknown, Record<string, string>], [unknown, number], [unknown, number]];
    return hash && hash.id ? toRecord(hash, held, inFlight) : null;
  };
  return {
    ...scripts,
    get,
    async create(spec, now) {
      const fields: Record<string, string> = {
        id: spec.id,
        manifest: spec.manifest,
        manifest_sha256: spec.manifestSha256,
        manifest_options: spec.manifestOptionsJson,
        rows: String(spec.rows),
        invalid_rows: String(spec.invalidRows),
        estimate_micros: String(spec.estimateMicros),
        estimate_json: spec.estimateJson,
        prices_json: spec.pricesJson,
        out: spec.out,
        cap_micros: spec.capMicros === null ? "" : String(spec.capMicros),
        created_at: now.toISOString(),
        state: "submitted",
      };
      const created = (await redis.hsetnx(keys.batch(spec.id), "id", spec.id)) === 1;
      if (created) {
        await redis.multi().hset(keys.batch(spec.id), fields).zadd(keys.batches, now.getTime(), spec.id).exec();
      }
      const record = await get(spec.id);
      if (!record) throw new Error(`batch ${spec.id} vanished while being created`);
      return { record, created };
    },
    async list(limit) {
      const ids = await redis.zrevrange(keys.batches, 0, Math.max(0, limit - 1));
      const records = await Promise.all(ids.map(get));
      return records.filter((r): r is BatchRecord => r !== null);
    },
    async setState(id, state) {
      const multi = redis.multi().hset(keys.batch(id), "state", state);
      if (state === "running") multi.hsetnx(keys.batch(id), "started_at", new Date().toISOString());
      await multi.exec();
    },
    heldRows: (id) => redis.smembers(keys.held(id)),
    async runIds(id, rows) {
      return rows.length === 0 ? [] : redis.hmget(keys.runs(id), ...rows);
    },
    async saveRunId(id, row, runId) {
      await redis.multi().hset(keys.runs(id), row, runId).hdel(keys.posting(id), row).exec();
    },
    async clearPosting(id, row) {
      await redis.hdel(keys.posting(id), row);
    },
    async results(id, rows) {
      return rows.length === 0 ? [] : redis.hmget(keys.results(id), ...rows);
    },
    async terminalRows(id, rows) {
      if (rows.length === 0) return [];
      const pipeline = redis.pipeline();
      for (const row of rows) pipeline.hexists(keys.results(id), row);
      const replies = (await pipeline.exec()) ?? [];
      return replies.map(([, exists]) => exists === 1);
    },
    async tierCounters(id) {
      const raw = await redis.hgetall(keys.tiers(id));
      return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, int(v)]));
    },
    async *scanResults(id) {
      let cursor = "0";
      do {
        const [next, flat] = await redis.hscan(keys.results(id), cursor, "COUNT", 1000);
        cursor = next;
        for (let i = 0; i + 1 < flat.length; i += 2) yield [flat[i] as string, flat[i + 1] as string];
      } while (cursor !== "0");
    },
  };
}
