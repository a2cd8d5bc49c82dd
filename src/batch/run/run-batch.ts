/**
 * The `run` command's engine: a worker in this process (which feeds the batch's queues from its
 * row store, a window at a time, and holds `concurrency` runs in flight), watching the batch's
 * counters until every row is recorded, the budget cap stops it, a configuration error stops it,
 * or the user does.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { BatchGoneError, type ConfigurationError } from "../../core/errors.js";
import { FINAL_STATES, type BatchRecord, type FinalState } from "../../ledger/batch-record.js";
import type { BatchRecords } from "../../ledger/batch-records.js";
import { createBudgetHistory } from "../../ledger/budget-history.js";
import type { RunflowClient } from "../../runflow/types.js";
import type { StoreOpener } from "../../outdir/store.js";
import type { Binding } from "../../ledger/binding.js";
import { endOf } from "../../worker/batch-end.js";
import { createWorker, type WorkerTuning } from "../../worker/worker.js";
import type { QueueDeps } from "../../runtime/deps.js";

export type RunOutcome = FinalState | "interrupted";

export interface RunBatchOptions {
  /** What the command runs with; `stores` opens the batch's directory (an S3 prefix needs it). */
  readonly deps: Pick<QueueDeps, "redis" | "keys" | "ledger" | "logger"> & { readonly stores?: StoreOpener };
  readonly client: RunflowClient;
  readonly batchId: string;
  readonly outDir: string;
  /** The endpoint and account the client talks to. */
  readonly binding: Binding;
  /** How the worker works: concurrency, polls, pauses, callbacks, `--give-up-after`. */
  readonly work: WorkerTuning;
  readonly callbackSecret?: string | null;
  readonly signal?: AbortSignal | undefined;
  readonly onProgress?: (record: BatchRecord) => void;
  readonly tickMs?: number;
}

export interface RunResult {
  readonly outcome: RunOutcome;
  readonly record: BatchRecord;
  /** True when this process ended the batch (it notifies); false when interrupted or ended elsewhere. */
  readonly ended: boolean;
}

export async function runBatch(options: RunBatchOptions): Promise<RunResult> {
  const { batchId } = options;
  const { redis, keys, ledger, logger } = options.deps;
  const store = ledger.batches;
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  options.signal?.addEventListener("abort", onAbort, { once: true });
  let fatal: ConfigurationError | null = null;

  await store.setState(batchId, "running");
  const worker = createWorker({
    redis,
    keys,
    runflow: options.client,
    logger,
    settings: options.work,
    // `run` works only on its own batch.
    binding: options.binding,
    scope: { batchId },
    stores: options.deps.stores,
    callbackSecret: options.callbackSecret ?? null,
    onFatal: (error) => {
      fatal ??= error;
      stop.abort();
    },
  });
  let outcome: RunOutcome = "interrupted";
  let reason: string | null = null;
  try {
    for (;;) {
      const record = await current(store, batchId, options.outDir);
      options.onProgress?.(record);
      // Every row recorded, stopped at the cap with nothing in flight, canceled — or ended elsewhere.
      const end = endOf(record) ?? endedElsewhere(record);
      if (end) {
        outcome = end.state;
        reason = end.reason;
        break;
      }
      if (stop.signal.aborted) break;
      await sleep(options.tickMs ?? 250);
    }
  } finally {
    stop.abort();
    options.signal?.removeEventListener("abort", onAbort);
    await worker.close();
  }
  if (fatal) throw fatal;
  const ended = outcome !== "interrupted" && (await store.finish(batchId, outcome, reason));
  const last = await current(store, batchId, options.outDir);
  if (outcome === "budget") {
    const stopped = {
      at: new Date().toISOString(),
      kind: "stopped" as const,
      cap_micros: last.capMicros,
      spent_micros: last.spentMicros,
    };
    await createBudgetHistory(redis, keys).append(batchId, stopped);
  }
  return { outcome, record: last, ended };
}

/** Ended by another process (`cancel`, a worker that recorded the last row): how. */
function endedElsewhere(record: BatchRecord): { state: FinalState; reason: string | null } | null {
  const final = FINAL_STATES.find((state) => state === record.state);
  return record.endedAt !== null && final !== undefined ? { state: final, reason: record.endReason } : null;
}

async function current(store: BatchRecords, batchId: string, outDir: string): Promise<BatchRecord> {
  const record = await store.get(batchId);
  if (!record) throw new BatchGoneError(batchId, outDir);
  return record;
}
