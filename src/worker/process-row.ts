/**
 * One row's life, as a small state machine whose state lives in Redis:
 *   recorded? → done.  run id saved? → resume waiting on it.
 *   otherwise: reserve budget → POST the run (Idempotency-Key from batch + row) → save the run id
 *   → wait → download → record.
 * Whatever happens in between (crash, stall, retry, a second worker), the next attempt finds the
 * run id and never creates another run; and if it crashed after the POST but before saving, the
 * same Idempotency-Key makes Runflow replay the first run instead of billing a second.
 */
import type { LimitFunction } from "p-limit";
import type { Logger } from "../log/logger.js";
import { priceOf, type PriceTable } from "../pricing/table.js";
import type { BatchStore } from "../queue/batch-store.js";
import type { Reservation } from "../queue/scripts.js";
import type { RowJobData, StoredResult } from "../queue/job-data.js";
import { idempotencyKeyFor, tierLabel } from "../queue/keys.js";
import type { Run, RunflowClient } from "../runflow/types.js";
import { classifyError } from "../runflow/errors.js";
import { MODELS, type ModelId } from "../runflow/models.js";
import type { PollSchedule } from "./poll-schedule.js";
import type { RowPhase } from "./retry-policy.js";
import { downloadOutputs } from "./outputs.js";
import { waitForRun } from "./wait-for-run.js";

export interface BatchInfo {
  readonly outDir: string;
  readonly prices: PriceTable;
}

export interface RowDeps {
  readonly client: RunflowClient;
  readonly store: BatchStore;
  readonly batchInfo: (batchId: string) => Promise<BatchInfo>;
  readonly logger: Logger;
  readonly now: () => Date;
  readonly poll: (model: ModelId) => PollSchedule;
  readonly maxConsecutivePollErrors: number;
  readonly downloads: LimitFunction;
  readonly signal?: AbortSignal;
  /** Called after Runflow accepted a new run (the worker uses it to know credit is back). */
  readonly onRunCreated?: () => void;
}

/**
 * What an attempt learnt so far. The failure path records the run id and any cost already
 * incurred; the phase tells the worker whether Runflow's side is known (see retry-policy.ts).
 */
export interface RowProgress {
  phase: RowPhase;
  runId: string | null;
  run: Run | null;
}

/** Runflow replays a create for 24 h; past 23 h an unanswered POST may not be safely repeated. */
export const IDEMPOTENCY_WINDOW_MS = 23 * 3_600_000;

/**
 * A create POST for this row went out long ago and its answer was lost; posting again now could
 * create a second, billed run. The row fails and says how to check.
 */
export class IdempotencyWindowPassed extends Error {
  constructor(readonly clientRef: string, readonly firstPostMs: number) {
    super(
      `a create request for this row was sent at ${new Date(firstPostMs).toISOString()} and its answer was lost; ` +
        `Runflow's idempotency protection lasts 24 h, so it was not sent again. Look for client_ref "${clientRef}" in Runflow ` +
        `before re-running this row (its cost is counted at the estimate meanwhile)`,
    );
    this.name = "IdempotencyWindowPassed";
  }
}

/** The budget cap does not allow this row now; it waits for the cap to be raised. */
export class BudgetHold extends Error {
  constructor(readonly batchId: string, readonly rowKey: string) {
    super(`row ${rowKey} of batch ${batchId} is held: the budget cap is reached`);
    this.name = "BudgetHold";
  }
}

export async function processRow(
  data: RowJobData,
  saveRunIdOnJob: (runId: string) => Promise<void>,
  deps: RowDeps,
  progress: RowProgress,
): Promise<"recorded" | "already-recorded"> {
  const { batch, row } = data;
  const log = deps.logger.child({ batch, row: row.key });
  const now = deps.now().getTime();
  let reservation: Reservation | null = null;
  if (data.runId) {
    if ((await deps.store.terminalRows(batch, [row.key]))[0]) return "already-recorded";
    progress.runId = data.runId;
  } else {
    // One round trip: already recorded? a run to resume? else reserve budget and note the POST.
    reservation = await deps.store.reserve(batch, row.key, data.estimateMicros, tierLabel(row.model, row.quality), now);
    if (reservation.alreadyRecorded) return "already-recorded";
    progress.runId = reservation.runId;
  }
  if (progress.runId) log.debug({ runId: progress.runId }, "Resuming the row's existing run.");
  const runId = progress.runId ?? (await createRow(data, reservation, now, saveRunIdOnJob, deps, log));
  progress.runId = runId;

  progress.phase = "wait";
  const run = await waitForRun(deps.client, runId, {
    schedule: deps.poll(row.model),
    maxConsecutiveErrors: deps.maxConsecutivePollErrors,
    ...(deps.signal ? { signal: deps.signal } : {}),
  });
  progress.run = run;
  const info = await deps.batchInfo(batch);
  if (run.status === "succeeded" || run.status === "partial_succeeded") {
    progress.phase = "download";
    const images = await downloadOutputs(deps.client, run, row.key, info.outDir, deps.downloads);
    const partial = run.status === "partial_succeeded" ? `partial success: ${images.length} of ${row.images} images` : null;
    await record(data, deps, { status: images.length > 0 ? "succeeded" : "failed", runId: run.id, images, costMicros: actualCost(info.prices, data, run), error: partial });
  } else {
    const reason = run.failureMessage ?? run.failureCode ?? `run ${run.status}`;
    await record(data, deps, { status: "failed", runId: run.id, images: [], costMicros: run.costMicros ?? 0, error: `${run.status}: ${reason}` });
  }
  return "recorded";
}

/** Posts the row's run once its reservation is granted, and saves the run id before anything else. */
async function createRow(
  data: RowJobData,
  reservation: Reservation | null,
  now: number,
  saveRunIdOnJob: (runId: string) => Promise<void>,
  deps: RowDeps,
  log: Logger,
): Promise<string> {
  const { batch, row } = data;
  if (!reservation) throw new Error(`row ${row.key} has neither a run id nor a reservation`);
  if (!reservation.granted) throw new BudgetHold(batch, row.key);
  if (reservation.crossedPercent !== null) {
    log.warn({ committedMicros: reservation.committedMicros, capMicros: reservation.capMicros }, `Batch ${batch} has committed ${reservation.crossedPercent} % of its budget cap.`);
  }
  const clientRef = `${batch}/${row.key}`.slice(0, 255);
  if (now - reservation.firstPostMs > IDEMPOTENCY_WINDOW_MS) throw new IdempotencyWindowPassed(clientRef, reservation.firstPostMs);
  let created: Run;
  try {
    created = await deps.client.createRun({ model: row.model, input: row.input, metadata: row.metadata, idempotencyKey: idempotencyKeyFor(batch, row.key), clientRef });
  } catch (error) {
    // A definite refusal (402, 429, 4xx) created nothing: the 24 h guard starts again next time.
    if (classifyError(error).kind !== "retry") await deps.store.clearPosting(batch, row.key);
    throw error;
  }
  deps.onRunCreated?.();
  await Promise.all([deps.store.saveRunId(batch, row.key, created.id), saveRunIdOnJob(created.id)]);
  log.debug({ runId: created.id }, "Run created.");
  return created.id;
}

/** Runflow's own `cost` when it reports one; otherwise the batch's price table for the images produced. */
function actualCost(prices: PriceTable, data: RowJobData, run: Run): number {
  if (run.costMicros !== null) return run.costMicros;
  const images = MODELS[data.row.model].billing === "image" ? run.outputUrls.length : 1;
  return priceOf(prices, data.row.model, data.row.quality, images);
}

/**
 * Records the row as failed, keeping what was (or may have been) paid for: a run that succeeded
 * but could not be downloaded costs what it cost; a run whose end is unknown, or a create whose
 * answer was lost, is counted at the estimate so the budget stays safe; no run, no cost.
 */
export async function recordFailure(data: RowJobData, deps: RowDeps, progress: RowProgress, reason: string, error?: unknown): Promise<void> {
  let costMicros = 0;
  if (error instanceof IdempotencyWindowPassed) costMicros = data.estimateMicros;
  else if (progress.run && progress.run.status !== "failed" && progress.run.status !== "canceled") {
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

async function record(data: RowJobData, deps: RowDeps, outcome: Outcome): Promise<void> {
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
