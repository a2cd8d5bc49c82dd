/**
 * The second half of `run` and `retry`: work the batch's rows in this process until every row is
 * recorded, the budget cap stops it or the user does (run-batch.ts), write its reports into its
 * directory, print the summary, send the batch's notification when this process ended it, and
 * set the exit code of the outcome. Redis gone past --redis-timeout ends it with exit 4.
 */
import { isInteractive } from "../../config/config.js";
import { UsageError } from "../../core/errors.js";
import { StoreError } from "../../outdir/store-errors.js";
import type { Binding } from "../../ledger/binding.js";
import type { BatchRecord } from "../../ledger/batch-record.js";
import { reportSummaryLine } from "../../report/summary-line.js";
import type { RunflowClient } from "../../runflow/types.js";
import type { PollSchedule } from "../../worker/poll-schedule.js";
import { EXIT, type ExitCode } from "../../core/exit-codes.js";
import type { CommandIo } from "../../runtime/io.js";
import type { WorkerSettings } from "../settings.js";
import { notifyBatchEnd, writeReportsPatiently } from "../end/end-batch.js";
import { createProgressView } from "./progress-view.js";
import type { QueueDeps } from "../../runtime/deps.js";
import { runBatch, type RunOutcome } from "./run-batch.js";

/** The exit code of a batch's outcome (README "Exit codes"); `status --watch` ends with the same. */
export const OUTCOME_EXIT: Readonly<Record<RunOutcome, ExitCode>> = {
  done: EXIT.ok,
  "failed-rows": EXIT.failedRows,
  budget: EXIT.money,
  canceled: EXIT.canceled,
  interrupted: EXIT.interrupted,
};

export interface WorkAndReport {
  readonly deps: QueueDeps;
  readonly client: RunflowClient;
  readonly binding: Binding;
  readonly record: BatchRecord;
  readonly work: WorkerSettings;
  /** Poll schedule when the worker settings name none (a rehearsal polls near its latency). */
  readonly poll: Partial<PollSchedule> | undefined;
  /** How to say "run this again" when interrupted or stopped at the cap. */
  readonly again: string;
}

/** Works the batch to its end (or an interruption) and returns the exit code of how it ended. */
export async function workAndReport(io: CommandIo, o: WorkAndReport): Promise<ExitCode> {
  const { deps, record } = o;
  io.onPaidWork?.(); // rows run from here: a stop hands them back cleanly and writes the reports
  const batchId = record.id;
  const outDir = record.submission.out;
  const view = createProgressView(io.stderr, isInteractive(io.stderr, io.env), deps.logger);
  const { outcome, ended } = await deps.guard(
    runBatch({
      deps,
      binding: o.binding,
      client: o.client,
      batchId,
      outDir,
      work: { ...o.work, poll: o.work.poll ?? o.poll },
      callbackSecret: deps.config.callbackSecret,
      signal: io.signal,
      onProgress: (r) => view.update(r),
    }),
  );
  view.done();
  const written = await deps.guard(writeReportsPatiently(deps, batchId, outDir)).catch((error: unknown) => {
    throw localReportError(error, outDir);
  });
  io.stdout.write(reportSummaryLine(written.input, outDir));
  if (ended) {
    const last = await deps.ledger.batches.get(batchId);
    if (last) await notifyBatchEnd(deps, last, written);
    await deps.ledger.batches.setReported(batchId);
  }
  if (outcome === "canceled") io.stderr.write(`Batch ${batchId} was canceled; ${o.again} to run the rest.\n`);
  if (outcome === "budget")
    io.stderr.write(`Stopped by the budget cap. To finish, ${o.again} with a higher --max-cost.\n`);
  if (outcome === "interrupted") io.stderr.write(`Interrupted. ${o.again} to resume batch ${batchId}.\n`);
  return OUTCOME_EXIT[outcome];
}

/** A report that cannot be written is this machine's problem: say where and why (exit 2), not a stack. */
function localReportError(error: unknown, outDir: string): unknown {
  const { code, path: where } = (error ?? {}) as { code?: unknown; path?: unknown };
  if (typeof code !== "string" || typeof where !== "string") return error;
  if (error instanceof StoreError)
    return new UsageError(
      `could not write the reports into ${outDir}: ${error.message} The batch is recorded in Redis: ` +
        "write them with `runflow-batch report BATCH` once the store takes writes.",
      { cause: error },
    );
  return new UsageError(
    `could not write the reports into ${outDir}: ${code} at ${where} (a local error on this machine). ` +
      "The batch is recorded in Redis: fix the directory and write them with `runflow-batch report BATCH`.",
    { cause: error },
  );
}
