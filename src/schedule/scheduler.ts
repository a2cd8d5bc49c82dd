/**
 * The BullMQ side of schedules: one queue, `schedules` (under the same prefix as every other
 * queue), holding one job scheduler per enabled schedule (`upsertJobScheduler` with the cron
 * and zone; never the legacy repeatable-job API). Its template data carries the schedule and the
 * hash of its file, so `sync` sees what changed and any `serve` process can start an occurrence
 * without the file. Only schedulers with our id prefix are ever touched.
 */
import { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { z } from "zod";
import { closeBullmq } from "../redis/close-bullmq.js";
import { POLICY_BACKOFF } from "../runflow/retry-policy.js";
import type { Keys } from "../ledger/keys.js";
import { scheduleJson, type Schedule } from "./schedule.js";
import { nameOfSchedulerId, schedulerIdOf, type InstalledScheduler } from "./sync-plan.js";

export const SCHEDULES_QUEUE = "schedules";
/** The name of every job a schedule's scheduler makes. */
const OCCURRENCE_JOB = "occurrence";

export interface ScheduleTemplateData {
  readonly v: 1;
  readonly hash: string;
  readonly schedule: Schedule;
}

const templateData = z.object({ v: z.literal(1), hash: z.string(), schedule: scheduleJson });

export function parseTemplateData(value: unknown): ScheduleTemplateData | null {
  const parsed = templateData.safeParse(value);
  return parsed.success ? parsed.data : null;
}

export interface InstalledSchedule extends InstalledScheduler {
  /** The schedule's name (ours only are listed). */
  readonly name: string;
  readonly data: ScheduleTemplateData | null;
  /** When it fires next (ms), as BullMQ holds it. */
  readonly next: number | null;
}

export interface ScheduleQueue {
  readonly queue: Queue;
  /** Our schedulers (id prefix rfb-schedule:), in no particular order. */
  installed(): Promise<InstalledSchedule[]>;
  get(name: string): Promise<InstalledSchedule | null>;
  upsert(schedule: Schedule, hash: string): Promise<void>;
  remove(id: string): Promise<boolean>;
  close(): Promise<void>;
}

/** Occurrence jobs retry a start that failed for a passing reason (Redis, Runflow unreachable). */
export const OCCURRENCE_ATTEMPTS = 5;
/** The first wait before an occurrence's retry; later ones double (the retry policy's backoff). */
export const OCCURRENCE_BACKOFF_MS = 5_000;

function installedOf(json: {
  key: string;
  next?: number;
  template?: { data?: unknown };
}): InstalledSchedule | null {
  const name = nameOfSchedulerId(json.key);
  if (name === null) return null;
  const data = parseTemplateData(json.template?.data);
  return { id: json.key, name, hash: data?.hash ?? null, data, next: json.next ?? null };
}

export function createScheduleQueue(redis: Redis, keys: Keys): ScheduleQueue {
  const queue = new Queue(SCHEDULES_QUEUE, { connection: redis, prefix: keys.bullPrefix });
  // Connection trouble is the Redis outage's to report (redis/connection.ts).
  queue.on("error", () => undefined);
  return {
    queue,
    async installed() {
      const all = await queue.getJobSchedulers(0, -1, true);
      return all.flatMap((json) => installedOf(json) ?? []);
    },
    async get(name) {
      const json = await queue.getJobScheduler(schedulerIdOf(name));
      return json ? installedOf(json) : null;
    },
    async upsert(schedule, hash) {
      const data: ScheduleTemplateData = { v: 1, hash, schedule };
      await queue.upsertJobScheduler(
        schedulerIdOf(schedule.name),
        { pattern: schedule.cron, tz: schedule.tz },
        {
          name: OCCURRENCE_JOB,
          data,
          opts: {
            attempts: OCCURRENCE_ATTEMPTS,
            backoff: { type: POLICY_BACKOFF, delay: OCCURRENCE_BACKOFF_MS },
            removeOnComplete: { count: 200 },
            removeOnFail: { count: 500 },
          },
        },
      );
    },
    remove: (id) => queue.removeJobScheduler(id),
    close: () => closeBullmq(queue),
  };
}
