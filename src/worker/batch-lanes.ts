/**
 * The batches one worker process serves, a lane each (lane.ts). A batch is served only when it
 * is bound to the worker's endpoint and account; every lane gets its share of the process's
 * concurrency; a batch whose record is gone stops a worker serving only it, and is said once and
 * let go by a worker serving the pool.
 */
import { BatchGoneError, ConfigurationError } from "../core/errors.js";
import { formatUsd } from "../core/money.js";
import type { BatchRecords } from "../ledger/batch-records.js";
import { describeBinding, sameBinding, type Binding } from "../ledger/binding.js";
import type { QueueName } from "../ledger/keys.js";
import type { Feeding } from "./feeding.js";
import { openLane, type Lane, type LaneShared } from "./lane.js";

export interface BatchLanesOptions {
  readonly batches: Pick<BatchRecords, "get" | "start">;
  /** The endpoint and account this worker's client talks to. */
  readonly binding: Binding;
  /** Serving one batch (its trouble stops the worker), or the pool (trouble is said and skipped). */
  readonly single: boolean;
  readonly feeding: Feeding;
  /** What every lane shares; the lanes add what to do when a batch's record is gone. */
  readonly shared: Omit<LaneShared, "onBatchGone">;
  /** The process's concurrency, shared evenly by its lanes. */
  readonly concurrency: Readonly<Record<QueueName, number>>;
  /** The worker ends the batches it serves (`worker`, `serve`): it marks each started. */
  readonly ownsLifecycle: boolean;
}

export interface BatchLanes {
  /** Opens a lane for the batch when it is bound to this worker's endpoint and account. */
  serve(batchId: string): Promise<void>;
  /** Closes the lanes of batches no longer in `listed` (the pool). */
  keepOnly(listed: ReadonlySet<string>): Promise<void>;
  /** The lanes open now, by batch. */
  open(): ReadonlyMap<string, Lane>;
  close(): Promise<void>;
}

/** Each lane's share of the process's concurrency: all of it with one batch, split evenly with several. */
function shareOf(total: Readonly<Record<QueueName, number>>, lanes: number): Record<QueueName, number> {
  const n = Math.max(1, lanes);
  return {
    generate: Math.max(1, Math.floor(total.generate / n)),
    edit: Math.max(1, Math.floor(total.edit / n)),
  };
}

function notBoundMessage(batchId: string, bound: Binding, ours: Binding): string {
  return (
    `batch ${batchId} was made for ${describeBinding(bound)}; this worker talks to ${describeBinding(ours)}, ` +
    `so it leaves the batch alone. Start the worker with the batch's RUNFLOW_BASE_URL and RUNFLOW_API_KEY.`
  );
}

export function createBatchLanes(o: BatchLanesOptions): BatchLanes {
  const { batches, feeding } = o;
  const { logger, finisher } = o.shared;
  const lanes = new Map<string, Lane>();
  const gone = new Set<string>();
  const refused = new Set<string>();
  const reshare = () => {
    for (const lane of lanes.values()) lane.setConcurrency(shareOf(o.concurrency, lanes.size));
  };
  const shared: LaneShared = {
    ...o.shared,
    onBatchGone: (error) => {
      // Serving one batch: nothing left to do. Serving the pool: say it once and let the others go on.
      if (o.single) o.shared.onFatal(error);
      else if (!gone.has(error.batchId)) {
        gone.add(error.batchId);
        logger.error({ batch: error.batchId }, error.message);
        const lane = lanes.get(error.batchId);
        lanes.delete(error.batchId);
        void feeding.remove(error.batchId);
        void lane?.close();
      }
    },
  };

  async function serve(batchId: string): Promise<void> {
    if (lanes.has(batchId) || refused.has(batchId) || gone.has(batchId) || shared.shuttingDown()) return;
    const record = await batches.get(batchId);
    if (!record && o.single) {
      shared.onFatal(new BatchGoneError(batchId, null));
      return;
    }
    // Closing while the record was read: a lane opened now would only be closed half-started.
    if (!record || shared.shuttingDown()) return;
    const bound = record.submission.binding;
    if (!sameBinding(bound, o.binding)) {
      refused.add(batchId);
      const message = notBoundMessage(batchId, bound, o.binding);
      if (o.single) shared.onFatal(new ConfigurationError(message));
      else logger.warn({ batch: batchId }, message);
      return;
    }
    lanes.set(batchId, openLane(batchId, shareOf(o.concurrency, lanes.size + 1), shared));
    await feeding.add(batchId);
    reshare();
    const { rows, estimate } = record.submission;
    logger.info({ batch: batchId, rows }, `Serving batch ${batchId}.`);
    if (o.ownsLifecycle && (await batches.start(batchId))) {
      logger.info(
        { batch: batchId, rows },
        `Batch ${batchId} started: ${rows} rows, estimated $${formatUsd(estimate.micros)}.`,
      );
    }
    // A batch that ended while no worker looked (its last row recorded by a worker that died
    // before ending it).
    if (finisher) void finisher.check(batchId);
  }

  return {
    serve,
    async keepOnly(listed) {
      for (const [id, lane] of lanes) {
        if (listed.has(id)) continue;
        lanes.delete(id);
        await feeding.remove(id);
        await lane.close();
        reshare();
      }
    },
    open: () => lanes,
    async close() {
      await Promise.all([...lanes.values()].map((lane) => lane.close()));
      lanes.clear();
    },
  };
}
