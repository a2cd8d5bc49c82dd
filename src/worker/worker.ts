/**
 * The BullMQ side of the worker: one Worker per queue (generations and edits, each with its own
 * concurrency), every job run through processRow, every failure through the retry policy.
 * Any number of these, in any number of processes and machines, share the work.
 */
import { setMaxListeners } from "node:events";
import { Worker, type Job } from "bullmq";
import type { Redis } from "ioredis";
import pLimit from "p-limit";
import { WORKER_DEFAULTS, type Pauses } from "../config/defaults.js";
import type { ConfigurationError } from "../core/errors.js";
import { MODELS } from "../core/models.js";
import { createBatchRecords } from "../ledger/batch-records.js";
import { createRowLedger } from "../ledger/row-ledger.js";
import type { Logger } from "../log/logger.js";
import type { RowJobData } from "../queue/job-data.js";
import { QUEUE_NAMES, type Keys, type QueueName } from "../queue/keys.js";
import { createQueues } from "../queue/queues.js";
import type { RunflowClient } from "../runflow/types.js";
import { createCreditOutage } from "./credit-outage.js";
import { onRowError, type ErrorContext } from "./on-row-error.js";
import { scheduleFor, type PollSchedule } from "./poll-schedule.js";
import { processRow } from "./process-row.js";
import { asAttemptError } from "./row-errors.js";
import type { BatchInfo, RowDeps } from "./row-types.js";

export interface WorkerOptions {
  readonly redis: Redis;
  readonly keys: Keys;
  readonly runflow: RunflowClient;
  readonly logger: Logger;
  readonly now?: () => Date;
  readonly concurrency?: Partial<Record<QueueName, number>>;
  /** Overrides for every model's poll schedule (tests and the simulator use short ones). */
  readonly poll?: Partial<PollSchedule>;
  /** How long the worker pauses when Runflow says "not now" (429, 402, unreadable runs, budget holds). */
  readonly pauses?: Partial<Pauses>;
  /**
   * Where a batch's images go, given its id and the directory stored on it (the default). The
   * queues are shared by all batches, so an override must keep batches apart.
   */
  readonly outDirFor?: (batchId: string, stored: string) => string;
  /** Image downloads at once in this worker (WORKER_DEFAULTS.downloadConcurrency). */
  readonly downloadConcurrency?: number;
  /**
   * How long a worker's claim on a row lasts without renewal. A crashed worker's rows go to
   * another worker within about this long (and a stalled-check interval). WORKER_DEFAULTS.lockDurationMs.
   */
  readonly lockDurationMs?: number;
  /** A configuration error (bad key): the worker stops taking jobs and reports it here. */
  readonly onFatal?: (error: ConfigurationError) => void;
}

export interface RowWorker {
  /** Stops taking jobs, hands in-flight ones back (their run ids are saved) and closes. */
  close(): Promise<void>;
}

export function createWorker(options: WorkerOptions): RowWorker {
  const { redis, keys, logger } = options;
  // Our own row bookkeeping gets its own connection with auto-pipelining: thousands of rows in
  // flight share socket writes. (BullMQ keeps the shared connection; its blocking reads must not
  // sit in a pipeline.)
  const ledgerRedis = redis.duplicate({ enableAutoPipelining: true });
  ledgerRedis.on("error", (err) => logger.warn({ err }, "Redis connection error (ledger)."));
  const batches = createBatchRecords(ledgerRedis, keys);
  const shutdown = new AbortController();
  // Every run being waited on listens for shutdown: thousands of listeners are the design, not a leak.
  setMaxListeners(0, shutdown.signal);
  const pauses: Pauses = { ...WORKER_DEFAULTS.pauses, ...options.pauses };
  const lockDurationMs = options.lockDurationMs ?? WORKER_DEFAULTS.lockDurationMs;
  const batchCache = new Map<string, Promise<BatchInfo>>();
  const batchInfo = (id: string): Promise<BatchInfo> => {
    let info = batchCache.get(id);
    if (!info) {
      info = batches.get(id).then((record) => {
        if (!record) throw new Error(`batch ${id} has no record in Redis`);
        const { out, prices } = record.submission;
        return { outDir: options.outDirFor?.(id, out) ?? out, prices };
      });
      info.catch(() => batchCache.delete(id));
      batchCache.set(id, info);
    }
    return info;
  };
  const credit = createCreditOutage();
  const deps: RowDeps = {
    client: options.runflow,
    rows: createRowLedger(ledgerRedis, keys),
    batchInfo,
    logger,
    now: options.now ?? (() => new Date()),
    poll: (model) => scheduleFor(MODELS[model].typicalDurationMs, options.poll),
    maxConsecutivePollErrors: WORKER_DEFAULTS.maxConsecutivePollErrors,
    downloads: pLimit(options.downloadConcurrency ?? WORKER_DEFAULTS.downloadConcurrency),
    signal: shutdown.signal,
    onRunCreated: () => credit.accepted(),
  };

  const queues = createQueues(redis, keys);
  const workers = QUEUE_NAMES.map((name) => {
    const queue = queues[name];
    const errors: ErrorContext = {
      queue,
      deps,
      logger,
      pauses,
      handBackMs: WORKER_DEFAULTS.handBackMs,
      shuttingDown: () => shutdown.signal.aborted,
      onFatal: (error) => options.onFatal?.(error),
      credit,
    };
    const processor = async (job: Job<RowJobData>, token?: string): Promise<string> => {
      try {
        return await processRow(job.data, (runId) => job.updateData({ ...job.data, runId }), deps);
      } catch (error) {
        return onRowError(job, token, asAttemptError(error), errors);
      }
    };
    const worker = new Worker<RowJobData>(name, processor, {
      connection: redis,
      prefix: keys.bullPrefix,
      concurrency: options.concurrency?.[name] ?? WORKER_DEFAULTS.concurrency,
      // A stalled job only means its worker died; resuming it is safe, so never fail a row for it.
      maxStalledCount: 1_000,
      lockDuration: lockDurationMs,
      stalledInterval: lockDurationMs,
      autorun: true,
      // Without a limiter BullMQ ignores queue.rateLimit() in other workers: 429 and 402 must slow them all.
      limiter: { max: Number.MAX_SAFE_INTEGER, duration: 1_000 },
    });
    worker.on("error", (err) => {
      // While shutting down, BullMQ may report the connection it is closing; that is not a fault.
      if (shutdown.signal.aborted && /Connection is closed/.test(err.message)) logger.debug({ err, queue: name }, "Worker connection closed during shutdown.");
      else logger.error({ err, queue: name }, "Worker error.");
    });
    return { worker, queue };
  });

  return {
    async close() {
      shutdown.abort();
      await Promise.all(workers.map(({ worker }) => worker.close()));
      await queues.close();
      await ledgerRedis.quit().catch(() => ledgerRedis.disconnect());
    },
  };
}
