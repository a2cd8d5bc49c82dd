/**
 * One row's life, as a small state machine whose state lives in Redis:
 *   recorded? → done.  run id saved? → resume waiting on it.
 *   otherwise: reserve budget → POST the run (Idempotency-Key from batch + row) → save the run id
 *   → wait → download → record.
 * Whatever happens in between (crash, stall, retry, a second worker), the next attempt finds the
 * run id and never creates another run; and if it crashed after the POST but before saving, the
 * same Idempotency-Key makes Runflow replay the first run instead of billing a second.
 * Any failure leaves as one RowAttemptError saying which step it was in and what was known of
 * the run; the worker's error policy decides what happens next (on-row-error.ts).
 */
import type { Logger } from "../log/logger.js";
import type { Reservation } from "../ledger/row-ledger.js";
import { idempotencyKeyFor, tierLabel } from "../ledger/keys.js";
import { classifyError } from "../runflow/errors.js";
import type { Run } from "../runflow/types.js";
import { createInput, forgetInput } from "./draft-input.js";
import { downloadOutputs } from "./outputs.js";
import { recordRow } from "./record-row.js";
import { endedRunCost } from "./row-cost.js";
import { BudgetHold, failedWhile, IDEMPOTENCY_WINDOW_MS, IdempotencyWindowPassed } from "./row-errors.js";
import type { RowDeps, RowResult, RowWork } from "./row-types.js";
import { waitForRun } from "./wait-for-run.js";

type RowLog = Pick<Logger, "debug" | "warn">;

/** The row's logger, made only when something is logged (no child logger per row at info level). */
function rowLogger(logger: Logger, bindings: Record<string, string>): RowLog {
  let child: Logger | null = null;
  const get = (): Logger => (child ??= logger.child(bindings));
  return {
    debug: ((...args: Parameters<Logger["debug"]>) => {
      if (logger.isLevelEnabled("debug")) get().debug(...args);
    }) as Logger["debug"],
    warn: ((...args: Parameters<Logger["warn"]>) => get().warn(...args)) as Logger["warn"],
  };
}

export async function processRow(work: RowWork, deps: RowDeps): Promise<RowResult> {
  const { batch, row } = work;
  const log = rowLogger(deps.logger, { batch, row: row.key });
  const started = await startRow(work, deps, log).catch(
    failedWhile({ phase: "create", runId: null, run: null }),
  );
  if (started === "already-recorded" || started === "canceled") return started;
  const { runId } = started;
  // A resumed run is recorded with the content it was created with.
  const data = started.contentSha === work.contentSha ? work : { ...work, contentSha: started.contentSha };

  const run = await waitForRun(deps.client, runId, {
    schedule: () => deps.poll(row.model),
    maxConsecutiveErrors: deps.maxConsecutivePollErrors,
    sleep: deps.sleep,
    signal: deps.signal,
    // A run resumed after a restart was created at a time this process does not know: it teaches
    // the latency book nothing, and our clock gives no duration for it.
    ...(started.resumed ? { createdAtMs: null } : {}),
  }).catch(failedWhile({ phase: "wait", runId, run: null }));

  if (run.status === "succeeded" || run.status === "partial_succeeded") {
    await finishSucceeded(data, run, deps).catch(failedWhile({ phase: "download", runId, run }));
  } else {
    await finishFailed(data, run, deps).catch(failedWhile({ phase: "wait", runId, run }));
  }
  return "recorded";
}

/** Records a run that failed or was canceled at Runflow. */
async function finishFailed(data: RowWork, run: Run, deps: RowDeps): Promise<void> {
  const { prices } = await deps.batchInfo(data.batch);
  const reason = run.failureMessage ?? run.failureCode ?? `run ${run.status}`;
  await recordRow(data, deps, {
    status: "failed",
    runId: run.id,
    images: [],
    costMicros: endedRunCost(run, data, prices),
    error: `${run.status}: ${reason}`,
    run,
  });
}

/** Downloads the images of a run that (partly) succeeded and records the row. */
async function finishSucceeded(data: RowWork, run: Run, deps: RowDeps): Promise<void> {
  const info = await deps.batchInfo(data.batch);
  const images = await downloadOutputs(
    deps.client,
    run,
    data.row.key,
    info.store ?? info.outDir,
    deps.downloads,
    deps.imageDirs,
  );
  const partial =
    run.status === "partial_succeeded"
      ? `partial success: ${images.length} of ${data.row.images} images`
      : null;
  await recordRow(data, deps, {
    status: images.length > 0 ? "succeeded" : "failed",
    runId: run.id,
    images,
    costMicros: endedRunCost(run, data, info.prices),
    error: partial,
    run,
  });
}

/** The run a row waits on, the content it was created with, and whether an earlier attempt made it. */
interface StartedRun {
  readonly runId: string;
  readonly contentSha: string;
  readonly resumed: boolean;
}

/** Finds the row's run, or creates it: the run to wait on, "already-recorded", or "canceled". */
async function startRow(
  data: RowWork,
  deps: RowDeps,
  log: RowLog,
): Promise<StartedRun | "already-recorded" | "canceled"> {
  const { batch, row } = data;
  // One round trip: already recorded? a run to resume? else reserve budget and note the POST.
  const now = deps.now().getTime();
  const reservation = await deps.rows.reserve(
    batch,
    row.key,
    data.estimateMicros,
    tierLabel(row.model, row.quality),
    now,
  );
  if (reservation.alreadyRecorded) return "already-recorded";
  if (reservation.canceled) return "canceled";
  if (reservation.runId) {
    log.debug({ runId: reservation.runId }, "Resuming the row's existing run.");
    const sha = await deps.rows.runSha(batch, row.key);
    return { runId: reservation.runId, contentSha: sha ?? data.contentSha, resumed: true };
  }
  const runId = await createRun(data, reservation, now, deps, log);
  return { runId, contentSha: data.contentSha, resumed: false };
}

/** Posts the row's run once its reservation is granted, and saves the run id before anything else. */
async function createRun(
  data: RowWork,
  reservation: Reservation,
  now: number,
  deps: RowDeps,
  log: RowLog,
): Promise<string> {
  const { batch, row } = data;
  if (!reservation.granted) throw new BudgetHold(batch, row.key);
  if (reservation.crossedPercent !== null) {
    log.warn(
      { committedMicros: reservation.committedMicros, capMicros: reservation.capMicros },
      `Batch ${batch} has committed ${reservation.crossedPercent} % of its budget cap.`,
    );
  }
  const clientRef = `${batch}/${row.key}`.slice(0, 255);
  if (now - reservation.firstPostMs > IDEMPOTENCY_WINDOW_MS)
    throw new IdempotencyWindowPassed(clientRef, reservation.firstPostMs);
  // A final made from a draft image sends that image's fresh URL, in a body kept for every retry.
  const input = await createInput(data, deps);
  let created: Run;
  try {
    const idempotencyKey = idempotencyKeyFor(batch, row.key, data.contentSha, data.attempt);
    const callback = deps.callbackUrl === undefined ? {} : { callbackUrl: deps.callbackUrl };
    created = await deps.client.createRun({
      model: row.model,
      input,
      metadata: row.metadata,
      idempotencyKey,
      clientRef,
      ...callback,
    });
  } catch (error) {
    // A definite refusal (402, 429, 4xx) created nothing: the 24 h guard starts again next time.
    if (classifyError(error).kind !== "retry") {
      await deps.rows.clearPosting(batch, row.key);
      await forgetInput(data, deps);
    }
    throw error;
  }
  deps.onRunCreated?.();
  // Runflow has the run from here on: a failure to save its id still knows which run it was.
  await deps.rows
    .saveRunId(batch, row.key, created.id, data.contentSha)
    .catch(failedWhile({ phase: "create", runId: created.id, run: null }));
  log.debug({ runId: created.id }, "Run created.");
  return created.id;
}
