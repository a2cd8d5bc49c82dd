/**
 * The `run` command's engine: a worker and the producer in one process, watching the batch's
 * counters until every row is recorded, the budget cap stops it, a configuration error stops
 * it, or the user does. The producer keeps the queue short (backpressure); the worker holds
 * `concurrency` runs in flight.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { ConfigurationError } from "../../core/errors.js";
import type { Logger } from "../../log/logger.js";
import type { ManifestSource } from "../../manifest/source.js";
import type { PriceTable } from "../../pricing/table.js";
import type { BatchRecord, BatchStore } from "../../ledger/batch-store.js";
import type { Keys, QueueName } from "../../queue/keys.js";
import { enqueueManifest } from "../../queue/producer.js";
import type { Queues, RetryOptions } from "../../queue/queues.js";
import type { RunflowClient } from "../../runflow/types.js";
import type { Redis } from "ioredis";
import type { PollSchedule } from "../../worker/poll-schedule.js";
import type { RetryPolicy } from "../../worker/retry-policy.js";
import { createWorker } from "../../worker/worker.js";

export type RunOutcome = "done" | "failed-rows" | "budget" | "interrupted";

export interface RunBatchOptions {
  readonly redis: Redis;
  readonly keys: Keys;
  readonly store: BatchStore;
  readonly queues: Queues;
  readonly client: RunflowClient;
  readonly logger: Logger;
  readonly batchId: string;
  readonly source: ManifestSource;
  readonly prices: PriceTable;
  readonly outDir: string;
  readonly retry: RetryOptions;
  readonly concurrency: Record<QueueName, number>;
  readonly poll?: Partial<PollSchedule>;
  readonly retryPolicy?: RetryPolicy;
  readonly lockDurationMs?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (record: BatchRecord) => void;
  readonly tickMs?: number;
  /** Rows kept queued in Redis ahead of the workers; default max(1,000, 2 × concurrency). */
  readonly maxQueued?: number;
}

export async function runBatch(options: RunBatchOptions): Promise<{ outcome: RunOutcome; record: BatchRecord }> {
  const { store, batchId, logger } = options;
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  options.signal?.addEventListener("abort", onAbort, { once: true });
  let fatal: ConfigurationError | null = null;

  await store.setState(batchId, "running");
  const worker = createWorker({
    redis: options.redis,
    keys: options.keys,
    runflow: options.client,
    logger,
    concurrency: options.concurrency,
    // Only this batch's images go to --out; other batches' rows this worker picks up keep their own.
    outDirFor: (id, stored) => (id === batchId ? options.outDir : stored),
    ...(options.poll ? { poll: options.poll } : {}),
    ...(options.retryPolicy ? { retry: options.retryPolicy } : {}),
    ...(options.lockDurationMs ? { lockDurationMs: options.lockDurationMs } : {}),
    onFatal: (error) => {
      fatal ??= error;
      stop.abort();
    },
  });
  const totalConcurrency = options.concurrency.generate + options.concurrency.edit;
  const producer = enqueueManifest({
    queues: options.queues,
    store,
    batchId,
    source: options.source,
    prices: options.prices,
    retry: options.retry,
    logger,
    maxOutstanding: options.maxQueued ?? Math.max(1_000, totalConcurrency * 2),
    signal: stop.signal,
  });
  producer.catch(() => stop.abort());

  let outcome: RunOutcome = "interrupted";
  try {
    for (;;) {
      const record = await current(store, batchId);
      options.onProgress?.(record);
      const finished = record.succeeded + record.failed;
      if (finished >= record.rows) {
        outcome = record.failed > 0 ? "failed-rows" : "done";
        break;
      }
      // Blocked with nothing in flight: nothing can change until someone raises the cap.
      if (record.budgetBlocked && record.reservedMicros === 0) {
        outcome = "budget";
        break;
      }
      if (stop.signal.aborted) break;
      await sleep(options.tickMs ?? 250);
    }
  } finally {
    stop.abort();
    options.signal?.removeEventListener("abort", onAbort);
    await producer.catch(() => undefined);
    await worker.close();
  }
  await producer; // surfaces a manifest or Redis error from the producer
  if (fatal) throw fatal;
  if (outcome !== "interrupted") await store.setState(batchId, outcome === "done" ? "done" : outcome === "budget" ? "budget" : "failed-rows");
  return { outcome, record: await current(store, batchId) };
}

async function current(store: BatchStore, batchId: string): Promise<BatchRecord> {
  const record = await store.get(batchId);
  if (!record) throw new Error(`batch ${batchId} disappeared from Redis`);
  return record;
}
