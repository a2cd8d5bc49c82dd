/**
 * A batch's lane in one worker process: a BullMQ Worker on each of the batch's two queues
 * (generations, edits), every job run through processRow and every failure through the error
 * policy. Batches never share queues, so a lane can only ever take its own batch's rows.
 */
import { formatDuration } from "../core/duration.js";
import { Worker, type Job, type Queue } from "bullmq";
import type { Redis } from "ioredis";
import type { BatchGoneError, ConfigurationError } from "../core/errors.js";
import { createEpisode } from "../log/episodes.js";
import type { BatchWaits } from "../ledger/waits.js";
import type { Logger } from "../log/logger.js";
import type { RowJobData } from "../queue/job-data.js";
import { laneQueueName, QUEUE_NAMES, type Keys, type QueueName } from "../ledger/keys.js";
import { ROW_RETRY_DEFAULTS } from "../config/defaults.js";
import { closeBullmq } from "../redis/close-bullmq.js";
import { isRedisFault } from "../redis/faults.js";
import { BACKOFF, bullmqBackoff, isNetworkError } from "../runflow/retry-policy.js";
import { createQueues } from "../queue/queues.js";
import type { BatchFinisher } from "./batch-end.js";
import type { CreditOutage } from "./credit-outage.js";
import type { Pauses } from "./error-policy.js";
import { onRowError, type ErrorContext } from "./on-row-error.js";
import { processRow } from "./process-row.js";
import { recordRow } from "./record-row.js";
import type { RowEpisodes } from "./row-episodes.js";
import { asAttemptError } from "./row-errors.js";
import type { RowDeps, RowWork } from "./row-types.js";
import { loadRow } from "./load-row.js";
import type { RowStore } from "../ledger/row-store.js";

/** What every lane of a worker process shares. */
export interface LaneShared {
  readonly redis: Redis;
  readonly keys: Keys;
  readonly logger: Logger;
  readonly deps: RowDeps;
  /** Where the rows the jobs name are read. */
  readonly rowStore: Pick<RowStore, "get">;
  readonly pauses: Pauses;
  readonly handBackMs: number;
  readonly lockDurationMs: number;
  readonly credit: CreditOutage;
  readonly episodes: RowEpisodes;
  /** Ends batches whose last row this process records; null when the command ends them itself (`run`). */
  readonly finisher: BatchFinisher | null;
  readonly shuttingDown: () => boolean;
  readonly onFatal: (error: ConfigurationError) => void;
  /** The batch's record is gone from Redis. */
  readonly onBatchGone: (error: BatchGoneError) => void;
  /** Where conditions holding a batch up are noted for `status`. */
  readonly waits: BatchWaits;
  /** This process's name among the batch's workers (BullMQ's processedBy), so status tells stopped ones. */
  readonly workerName: string;
  /** Why the batch was given up on (`--give-up-after`), or null: its refused rows are recorded failed. */
  readonly stopReason: (batchId: string) => Promise<string | null>;
}

export interface Lane {
  readonly batchId: string;
  /** Rows in flight at once on each of the lane's queues. */
  setConcurrency(concurrency: Readonly<Record<QueueName, number>>): void;
  /** Brings every waiting row up now (delayed ones promoted, a rate limit lifted): the batch is stopping. */
  wake(): Promise<void>;
  /** Stops taking jobs, hands in-flight ones back (their run ids are saved) and closes. */
  close(): Promise<void>;
}

/** Redis failing under the queue worker (a connection going or gone): the Redis outage says so, once. */
const connectionTrouble = (err: Error): boolean => isRedisFault(err) || isNetworkError(err);

/** Any other error BullMQ reports is said once, then summarised, not once per occurrence. */
function queueErrorsEpisode(logger: Logger, batchId: string) {
  return createEpisode({
    logger,
    started: (d) =>
      `The queue worker of batch ${batchId} reports errors (${String(d.reason)}); it keeps going.`,
    summary: (n, ms, d) =>
      `queue worker of batch ${batchId}: ${n} errors in the last ${formatDuration(ms)} (last: ${String(d.reason)})`,
    ended: (n, ms) =>
      `The queue worker of batch ${batchId} works normally again (${n} errors over ${formatDuration(ms)}).`,
    quietMs: 60_000,
  });
}

function errorContext(queue: Queue<RowJobData>, shared: LaneShared): ErrorContext {
  return {
    queue,
    deps: shared.deps,
    logger: shared.logger,
    pauses: shared.pauses,
    handBackMs: shared.handBackMs,
    shuttingDown: shared.shuttingDown,
    onFatal: shared.onFatal,
    credit: shared.credit,
    episodes: shared.episodes,
    afterHold: (id) => void shared.finisher?.check(id),
    onBatchGone: shared.onBatchGone,
    waits: shared.waits,
  };
}

/** One job of the batch: its row read from the row store, worked, every failure through the error policy. */
function jobProcessor(batchId: string, shared: LaneShared, errors: ErrorContext) {
  return async (job: Job<RowJobData>, token?: string): Promise<string> => {
    // The job names the row; the row itself is read from the batch's row store.
    let work: RowWork;
    try {
      const loaded = await loadRow(job.data, shared.rowStore, shared.deps.rows.runOf);
      if (loaded.kind === "gone") return "superseded";
      work = loaded.work;
    } catch (error) {
      return onRowError(job, null, token, asAttemptError(error), errors);
    }
    try {
      const result = await processRow(work, shared.deps);
      if (result !== "canceled") return result;
      // Refused because the batch is stopping: given up on, the row ends failed with the reason;
      // canceled, it is listed canceled. Either way the batch may have ended with this row.
      const reason = await shared.stopReason(batchId);
      if (reason !== null) {
        const failed = { status: "failed", runId: null, images: [], costMicros: 0, error: reason } as const;
        await recordRow(work, shared.deps, failed);
      }
      void shared.finisher?.check(batchId);
      return result;
    } catch (error) {
      return onRowError(job, work, token, asAttemptError(error), errors);
    }
  };
}

export function openLane(
  batchId: string,
  concurrency: Readonly<Record<QueueName, number>>,
  shared: LaneShared,
): Lane {
  const { redis, keys, logger } = shared;
  const queues = createQueues(redis, keys, batchId);
  const failing = queueErrorsEpisode(logger, batchId);
  const workers = QUEUE_NAMES.map((name) => {
    const processor = jobProcessor(batchId, shared, errorContext(queues[name], shared));
    const worker = new Worker<RowJobData>(laneQueueName(batchId, name), processor, {
      connection: redis,
      prefix: keys.bullPrefixFor(batchId),
      name: shared.workerName,
      concurrency: concurrency[name],
      // A stalled job only means its worker died; resuming it is safe, so never fail a row for it.
      maxStalledCount: 1_000,
      lockDuration: shared.lockDurationMs,
      stalledInterval: shared.lockDurationMs,
      autorun: true,
      // Without a limiter BullMQ ignores queue.rateLimit() in other workers: 429 and 402 must slow them all.
      limiter: { max: Number.MAX_SAFE_INTEGER, duration: 1_000 },
      // A retried row waits the retry policy's backoff from its job's --retry-backoff.
      settings: { backoffStrategy: bullmqBackoff(BACKOFF.row, ROW_RETRY_DEFAULTS.backoffMs) },
    });
    worker.on("error", (err) => {
      // Connection trouble (also the connection closing at shutdown) is the Redis outage's to report.
      if (connectionTrouble(err)) {
        logger.debug({ err, batch: batchId, queue: name }, "Queue worker connection trouble.");
      } else failing.occurred({ reason: err.message, queue: name });
    });
    return { name, worker };
  });
  return {
    batchId,
    setConcurrency(next) {
      for (const { name, worker } of workers)
        if (worker.concurrency !== next[name]) worker.concurrency = next[name];
    },
    async wake() {
      await Promise.all(
        [queues.generate, queues.edit].flatMap((queue) => [queue.promoteJobs(), queue.removeRateLimitKey()]),
      );
    },
    async close() {
      failing.close();
      await Promise.all(workers.map(({ worker }) => closeBullmq(worker)));
      await queues.close();
    },
  };
}
