/**
 * Recording a row's terminal state: its result in our store, its reservation settled to what it
 * cost, once (the Lua script makes a second record a no-op). Failures keep what was, or may have
 * been, paid for.
 */
import { priceOf, type PriceTable } from "../pricing/table.js";
import type { RowJobData, StoredResult } from "../queue/job-data.js";
import { tierLabel } from "../queue/keys.js";
import { classifyError } from "../runflow/errors.js";
import { MODELS } from "../core/models.js";
import type { Run } from "../runflow/types.js";
import type { RowDeps, RowProgress } from "./process-row.js";
import { IdempotencyWindowPassed } from "./row-errors.js";

/** Runflow's own `cost` when it reports one; otherwise the batch's price table for the images produced. */
export function actualCost(prices: PriceTable, data: RowJobData, run: Run): number {
  if (run.costMicros !== null) return run.costMicros;
  const images = MODELS[data.row.model].billing === "image" ? run.outputUrls.length : 1;
  return priceOf(prices, data.row.model, data.row.quality, images);
}

/**
 * Records the row as failed, keeping what was (or may have been) paid for: a run that succeeded
 * but could not be downloaded costs what it cost; a run whose end is unknown, or a create whose
 * answer was lost, is counted at the estimate so the budget stays safe; no run, no cost.
 */
export async function recordFailure(data: RowJobData, deps: RowDeps, progress: RowProgress, failure: string, error?: unknown): Promise<void> {
  let reason = failure;
  let costMicros = 0;
  if (error instanceof IdempotencyWindowPassed) costMicros = data.estimateMicros;
  else if (progress.phase === "create" && !progress.runId && error !== undefined && classifyError(error).kind === "retry") {
    // The last create's answer was lost (timeout, 5xx): a run may exist. Count it, and say how to check.
    costMicros = data.estimateMicros;
    reason = `${reason} (a create request may have reached Runflow; its cost is counted at the estimate — look for client_ref "${data.batch}/${data.row.key}")`;
  } else if (progress.run && progress.run.status !== "failed" && progress.run.status !== "canceled") {
    costMicros = actualCost((await deps.batchInfo(data.batch)).prices, data, progress.run);
  } else if (progress.runId && !progress.run) costMicros = data.estimateMicros;
  await record(data, deps, { status: "failed", runId: progress.runId, images: [], costMicros, error: reason });
}

interface Outcome {
  readonly status: "succeeded" | "failed";
  readonly runId: string | null;
  readonly images: readonly string[];
  readonly costMicros: number;
  readonly error: string | null;
}

export async function record(data: RowJobData, deps: RowDeps, outcome: Outcome): Promise<void> {
  const { row } = data;
  const result: StoredResult = {
    id: row.key,
    seq: data.seq,
    model: row.model,
    quality: row.quality,
    status: outcome.status,
    run_id: outcome.runId,
    images: outcome.images,
    estimated_micros: data.estimateMicros,
    cost_micros: outcome.costMicros,
    error: outcome.error,
    finished_at: deps.now().toISOString(),
  };
  await deps.store.record(data.batch, {
    row: row.key,
    resultJson: JSON.stringify(result),
    status: outcome.status,
    actualMicros: outcome.costMicros,
    images: outcome.images.length,
    estimateMicros: data.estimateMicros,
    tier: tierLabel(row.model, row.quality),
  });
}
