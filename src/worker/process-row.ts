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
import type { PriceTable } from "../pricing/table.js";
import type { BatchStore } from "../ledger/batch-store.js";
import type { Reservation } from "../ledger/scripts.js";
import type { RowJobData } from "../queue/job-data.js";
import { idempotencyKeyFor, tierLabel } from "../queue/keys.js";
import type { Run, RunflowClient } from "../runflow/types.js";
import { classifyError } from "../runflow/errors.js";
import type { ModelId } from "../core/models.js";
import type { PollSchedule } from "./poll-schedule.js";
import type { RowPhase } from "./retry-policy.js";
import { downloadOutputs } from "./outputs.js";
import { actualCost, record } from "./record-row.js";
import { BudgetHold, IDEMPOTENCY_WINDOW_MS, IdempotencyWindowPassed } from "./row-errors.js";
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
