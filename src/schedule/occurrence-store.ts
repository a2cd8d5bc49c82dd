/**
 * Each schedule's occurrences in Redis, for `schedule history`, `schedule list`, the overlap
 * rule and starting each occurrence once. Under `{prefix}:schedule:<name>`:
 *   :occurrences  hash  key → entry JSON (what was decided, when, the batch, why)
 *   :timeline     zset  key by due time (newest first for history; the oldest trimmed past 1,000)
 *   :current      JSON  the latest started occurrence {key, batch, started_ms}
 *   :waiting      zset  `overlap: queue` occurrences waiting for their turn, by due time
 *   :lock         a short lock held while an occurrence is decided (any process, any machine)
 *   :lease:<key>  held while an occurrence's batch is being opened, renewed until done
 * and `{prefix}:schedules-waiting`: the names of schedules with waiting occurrences.
 */
import type { Redis } from "ioredis";
import { z } from "zod";
import type { Keys } from "../ledger/keys.js";
import type { Outcome } from "./decide.js";
import { createRedisLocks } from "./locks.js";
import { scheduleJson, type Schedule } from "./schedule.js";

export interface OccurrenceEntry {
  readonly key: string;
  readonly due_ms: number;
  readonly decided_ms: number;
  readonly outcome: Outcome;
  readonly batch: string | null;
  readonly reason: string | null;
  /** When the occurrence started (its batch was claimed). */
  readonly started_ms: number | null;
  /** When its batch was opened and every row queued: a duplicate fire has nothing left to do. */
  readonly opened_ms: number | null;
  /** Started with `schedule run`. */
  readonly manual: boolean;
  /** Once opened: the runs its plan made, and what its batch had spent before (micro-dollars). */
  readonly runs?: number | undefined;
  readonly spent_before_micros?: number | undefined;
  /** While waiting (`overlap: queue`): the schedule to start it with. */
  readonly schedule?: Schedule | undefined;
}

const entrySchema = z.object({
  key: z.string(),
  due_ms: z.number(),
  decided_ms: z.number(),
  outcome: z.enum(["started", "skipped", "missed", "error", "waiting"]),
  batch: z.string().nullable(),
  reason: z.string().nullable(),
  started_ms: z.number().nullable(),
  opened_ms: z.number().nullable(),
  manual: z.boolean(),
  runs: z.number().int().optional(),
  spent_before_micros: z.number().int().optional(),
  schedule: scheduleJson.optional(),
});

interface CurrentOccurrence {
  readonly key: string;
  readonly batch: string;
  readonly started_ms: number;
}
const currentSchema = z.object({ key: z.string(), batch: z.string(), started_ms: z.number() });

const KEPT = 1_000;
const LOCK_MS = 30_000;
const LEASE_MS = 30_000;

function parseJson<T>(text: string | null, schema: z.ZodType<T>): T | null {
  if (text === null) return null;
  try {
    const parsed = schema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export interface OccurrenceStore {
  entry(name: string, key: string): Promise<OccurrenceEntry | null>;
  /**
   * Records what was decided; `onlyNew` (HSETNX) records it only if nothing was decided before.
   * True when written.
   */
  put(name: string, entry: OccurrenceEntry, onlyNew?: boolean): Promise<boolean>;
  /** Newest first. */
  history(name: string, limit: number): Promise<OccurrenceEntry[]>;
  current(name: string): Promise<CurrentOccurrence | null>;
  setCurrent(name: string, current: CurrentOccurrence): Promise<void>;
  /** Forgets the current occurrence if it is `key` (its start failed). */
  clearCurrent(name: string, key: string): Promise<void>;
  wait(name: string, key: string, dueMs: number): Promise<void>;
  unwait(name: string, key: string): Promise<void>;
  /** The waiting occurrence due first. */
  firstWaiting(name: string): Promise<string | null>;
  /** A waiting occurrence due no later than `dueMs`, other than `except`: it goes first. */
  waitingBefore(name: string, dueMs: number, except: string): Promise<string | null>;
  waitingSchedules(): Promise<string[]>;
  /** Runs `work` holding the schedule's decision lock (waits for it, up to half a minute). */
  withLock<T>(name: string, work: () => Promise<T>): Promise<T>;
  /**
   * Runs `work` holding the lease of one occurrence's start (renewed while it runs, gone within
   * 30 s of a crash); waits up to `waitMs` for another process's lease to end. Null if it did not.
   */
  withLease<T>(name: string, key: string, waitMs: number, work: () => Promise<T>): Promise<T | null>;
}

export function createOccurrenceStore(redis: Redis, keys: Keys): OccurrenceStore {
  const base = (name: string) => `${keys.bullPrefix}:schedule:${name}`;
  const k = {
    occurrences: (n: string) => `${base(n)}:occurrences`,
    timeline: (n: string) => `${base(n)}:timeline`,
    current: (n: string) => `${base(n)}:current`,
    waiting: (n: string) => `${base(n)}:waiting`,
    lock: (n: string) => `${base(n)}:lock`,
    lease: (n: string, key: string) => `${base(n)}:lease:${key}`,
    waitingNames: `${keys.bullPrefix}:schedules-waiting`,
  };

  const locks = createRedisLocks(redis);

  async function trim(name: string): Promise<void> {
    const old = await redis.zrange(k.timeline(name), 0, String(-(KEPT + 1)));
    if (old.length === 0) return;
    await redis
      .multi()
      .zrem(k.timeline(name), ...old)
      .hdel(k.occurrences(name), ...old)
      .exec();
  }

  return {
    async entry(name, key) {
      return parseJson(await redis.hget(k.occurrences(name), key), entrySchema);
    },
    async put(name, entry, onlyNew = false) {
      const json = JSON.stringify(entry);
      if (onlyNew) {
        if ((await redis.hsetnx(k.occurrences(name), entry.key, json)) === 0) return false;
      } else await redis.hset(k.occurrences(name), entry.key, json);
      await redis.zadd(k.timeline(name), entry.due_ms, entry.key);
      await trim(name);
      return true;
    },
    async history(name, limit) {
      const keysNewest = await redis.zrevrange(k.timeline(name), 0, Math.max(0, limit - 1));
      if (keysNewest.length === 0) return [];
      const texts = await redis.hmget(k.occurrences(name), ...keysNewest);
      return texts.flatMap((text) => parseJson(text, entrySchema) ?? []);
    },
    async current(name) {
      return parseJson(await redis.get(k.current(name)), currentSchema);
    },
    async setCurrent(name, current) {
      await redis.set(k.current(name), JSON.stringify(current));
    },
    async clearCurrent(name, key) {
      const current = parseJson(await redis.get(k.current(name)), currentSchema);
      if (current?.key === key) await redis.del(k.current(name));
    },
    async wait(name, key, dueMs) {
      await redis.multi().zadd(k.waiting(name), dueMs, key).sadd(k.waitingNames, name).exec();
    },
    async unwait(name, key) {
      await redis.zrem(k.waiting(name), key);
      if ((await redis.zcard(k.waiting(name))) === 0) await redis.srem(k.waitingNames, name);
    },
    async firstWaiting(name) {
      return (await redis.zrange(k.waiting(name), "0", "0"))[0] ?? null;
    },
    async waitingBefore(name, dueMs, except) {
      const before = await redis.zrangebyscore(k.waiting(name), "-inf", dueMs, "LIMIT", 0, 2);
      return before.find((key) => key !== except) ?? null;
    },
    waitingSchedules: () => redis.smembers(k.waitingNames),
    async withLock(name, work) {
      const done = await locks.withLock(k.lock(name), LOCK_MS, LOCK_MS, async () => ({
        value: await work(),
      }));
      if (done === null)
        throw new Error(`schedule ${name}: could not take its lock in Redis within ${LOCK_MS / 1_000} s`);
      return done.value;
    },
    withLease: (name, key, waitMs, work) => locks.withLease(k.lease(name, key), LEASE_MS, waitMs, work),
  };
}
