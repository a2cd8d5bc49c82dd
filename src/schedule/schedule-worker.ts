/**
 * A `serve` process's side of the `schedules` queue: a BullMQ Worker that takes each fired
 * occurrence job (one process gets each job, however many serve) and hands it to the occurrence
 * runner, plus a pump that starts `overlap: queue` occurrences whose turn has come.
 *
 * The due time is the one BullMQ scheduled the job for (`opts.prevMillis`, also the end of its
 * id `repeat:<scheduler>:<ms>`), not when it was taken: after downtime BullMQ holds one late
 * job per scheduler, and the starting deadline is measured from its due time.
 */
import { Worker, type Job } from "bullmq";
import type { Redis } from "ioredis";
import type { Logger } from "../log/logger.js";
import { closeBullmq } from "../redis/close-bullmq.js";
import { BACKOFF, bullmqBackoff } from "../runflow/retry-policy.js";
import type { Keys } from "../ledger/keys.js";
import type { OccurrenceRunner } from "./occurrence-runner.js";
import {
  OCCURRENCE_ATTEMPTS,
  OCCURRENCE_BACKOFF_MS,
  parseTemplateData,
  SCHEDULES_QUEUE,
} from "./scheduler.js";

export interface ScheduleWorkerOptions {
  readonly redis: Redis;
  readonly keys: Keys;
  readonly runner: OccurrenceRunner;
  readonly logger: Logger;
  /** Occurrences started at once by this process (each opens a batch: reads and prices its manifest). */
  readonly concurrency?: number;
  /** How often waiting occurrences are looked at (ms). */
  readonly pumpMs?: number;
}

export interface ScheduleWorker {
  close(): Promise<void>;
}

/** When the job was due: BullMQ's prevMillis, else the millis at the end of its id. */
function dueMsOf(job: Pick<Job, "id" | "opts" | "timestamp">): number {
  const prev = (job.opts as { prevMillis?: unknown }).prevMillis;
  if (typeof prev === "number" && Number.isFinite(prev)) return prev;
  const tail = Number(job.id?.split(":").at(-1));
  return Number.isFinite(tail) && tail > 0 ? tail : job.timestamp;
}

export function startScheduleWorker(options: ScheduleWorkerOptions): ScheduleWorker {
  const { runner, logger } = options;
  const processor = async (job: Job): Promise<string> => {
    const data = parseTemplateData(job.data);
    if (!data) {
      logger.warn(
        { job: job.id },
        "A scheduled job carries no schedule this version can read; it is left alone. " +
          "Run `schedule sync` again.",
      );
      return "unreadable";
    }
    const attempts = job.opts.attempts ?? OCCURRENCE_ATTEMPTS;
    const handled = await runner.handle(data.schedule, dueMsOf(job), {
      finalAttempt: job.attemptsMade + 1 >= attempts,
    });
    return `${handled.decision.kind} ${handled.batchId}`;
  };
  const worker = new Worker(SCHEDULES_QUEUE, processor, {
    connection: options.redis,
    prefix: options.keys.bullPrefix,
    concurrency: options.concurrency ?? 4,
    // A failed start waits the retry policy's backoff (jobs say POLICY_BACKOFF).
    settings: { backoffStrategy: bullmqBackoff(BACKOFF.occurrence, OCCURRENCE_BACKOFF_MS) },
  });
  worker.on("error", (err) => logger.debug({ err }, "Schedules worker connection trouble."));
  worker.on("failed", (job, err) => {
    logger.warn(
      { err, job: job?.id },
      `A scheduled occurrence could not be handled (${err.message}); BullMQ tries it again.`,
    );
  });

  let pumping: Promise<void> = Promise.resolve();
  const pump = setInterval(() => {
    pumping = pumping
      .then(() => runner.pumpWaiting())
      .catch((err: unknown) =>
        logger.warn({ err }, "Could not look at the waiting occurrences; trying again shortly."),
      );
  }, options.pumpMs ?? 2_000);
  pump.unref();

  return {
    async close() {
      clearInterval(pump);
      await pumping.catch(() => undefined);
      await closeBullmq(worker);
    },
  };
}
