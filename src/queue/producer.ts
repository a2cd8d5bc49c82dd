/**
 * Streams a manifest's valid rows into the queues: chunks of addBulk (one round trip each), job
 * id from batch + row so a second submit adds nothing, rows already recorded skipped. With
 * `maxOutstanding` it waits while too many of the batch's rows are unfinished, so Redis never
 * holds a million payloads at once; while the budget cap blocks the batch it waits (the cap may
 * be raised) until told to stop.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "../log/logger.js";
import type { ManifestSource } from "../manifest/source.js";
import { rowContentSha } from "../ledger/plan.js";
import { pricedRows } from "../pricing/priced-rows.js";
import type { PriceTable } from "../pricing/table.js";
import type { Ledger } from "../ledger/ledger.js";
import type { RowJobData } from "./job-data.js";
import { jobIdFor, queueFor, type QueueName } from "../ledger/keys.js";
import { jobOptions, type Queues, type RetryOptions } from "./queues.js";

export interface EnqueueOptions {
  readonly queues: Queues;
  readonly ledger: Pick<Ledger, "batches" | "results" | "rows">;
  readonly batchId: string;
  readonly source: ManifestSource;
  readonly prices: PriceTable;
  readonly retry: RetryOptions;
  readonly logger: Logger;
  readonly chunkSize?: number;
  /** Pause while more than this many enqueued rows are unfinished (the `run` command's backpressure). */
  readonly maxOutstanding?: number;
  readonly signal?: AbortSignal;
}

export interface EnqueueSummary {
  /** Rows handed to the queues by this call (including ones a previous call had queued but not finished). */
  readonly enqueued: number;
  /** Rows skipped because they were already recorded. */
  readonly alreadyDone: number;
  /** True when a stop request ended enqueuing before the manifest did. */
  readonly stoppedEarly: boolean;
}

export async function enqueueManifest(options: EnqueueOptions): Promise<EnqueueSummary> {
  const { ledger, batchId, queues } = options;
  const chunkSize = Math.min(options.chunkSize ?? 500, options.maxOutstanding ?? Number.POSITIVE_INFINITY);
  const start = await ledger.batches.get(batchId);
  const terminalAtStart = start ? start.succeeded + start.failed : 0;
  let enqueued = 0;
  let alreadyDone = 0;
  let chunk: RowJobData[] = [];

  const flush = async (): Promise<void> => {
    if (chunk.length === 0) return;
    const keys = chunk.map((d) => d.row.key);
    const [done, attempts] = await Promise.all([
      ledger.results.terminalRows(batchId, keys),
      ledger.rows.attempts(batchId, keys),
    ]);
    const byQueue: Record<QueueName, RowJobData[]> = { generate: [], edit: [] };
    chunk.forEach((data, i) => {
      if (done[i]) alreadyDone += 1;
      else byQueue[queueFor(data.row.model)].push({ ...data, attempt: attempts[i] ?? 1 });
    });
    for (const name of ["generate", "edit"] as const) {
      const jobs = byQueue[name];
      if (jobs.length === 0) continue;
      await queues[name].addBulk(
        jobs.map((data) => ({
          name: data.row.model,
          data,
          opts: jobOptions(jobIdFor(batchId, data.row.key, data.attempt), options.retry),
        })),
      );
      enqueued += jobs.length;
    }
    chunk = [];
  };

  /** False when enqueuing should stop (budget blocked, or asked to stop). */
  const roomToContinue = async (): Promise<boolean> => {
    if (options.maxOutstanding === undefined) return !options.signal?.aborted;
    for (;;) {
      if (options.signal?.aborted) return false;
      const batch = await ledger.batches.get(batchId);
      if (!batch) return false;
      // Canceled: nothing more. Given up: the rest go through the workers, which record them failed.
      if (batch.cancelRequestedAt !== null && batch.stopReason === null) return false;
      const outstanding = enqueued - (batch.succeeded + batch.failed - terminalAtStart) - batch.held;
      if (outstanding < options.maxOutstanding && !batch.budgetBlocked) return true;
      await sleep(100);
    }
  };

  for await (const item of pricedRows(options.source, options.prices)) {
    if (!item.ok) continue;
    const { row } = item;
    chunk.push({
      batch: batchId,
      row,
      estimateMicros: item.estimateMicros,
      seq: item.seq,
      attempt: 1,
      contentSha: rowContentSha(row),
    });
    if (chunk.length >= chunkSize) {
      if (!(await roomToContinue())) return { enqueued, alreadyDone, stoppedEarly: true };
      await flush();
    }
  }
  if (chunk.length > 0) {
    if (!(await roomToContinue())) return { enqueued, alreadyDone, stoppedEarly: true };
    await flush();
  }
  options.logger.debug({ batch: batchId, enqueued, alreadyDone }, "Manifest enqueued.");
  return { enqueued, alreadyDone, stoppedEarly: false };
}
