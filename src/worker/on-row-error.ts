/**
 * What the worker does when a row's attempt fails: the error policy picks the action, this says
 * so in the log, does what the action needs first (record a failed row, report a configuration
 * error, warn once about credit) and hands it to BullMQ. Every path either hands the job back
 * (delayed, rate limited or retried by BullMQ) or records the row as failed, so no row ever ends
 * without a recorded state — except when Redis fails under it: then nothing is recorded about
 * the row and its job stays in Redis for later (its run id is saved), and the Redis outage
 * (redis/connection.ts) is what says so, once. If carrying out the action itself fails, the job
 * is handed back. Conditions that repeat across rows (429, 402, unreadable runs, transient
 * errors, local write errors) are logged as episodes (row-episodes.ts), not per row.
 */
import { DelayedError, type Job, type Queue } from "bullmq";
import { BatchGoneError, ConfigurationError } from "../core/errors.js";
import { DownloadError } from "../runflow/errors.js";
import type { Logger } from "../log/logger.js";
import type { BatchWaits } from "../ledger/waits.js";
import type { RowJobData } from "../queue/job-data.js";
import { isRedisFault } from "../redis/faults.js";
import { applyToBullmq, delay, isBullmqSignal, type BullmqTarget } from "./bullmq-action.js";
import type { CreditOutage } from "./credit-outage.js";
import { decideRowAction, type Pauses, type RowAction } from "./error-policy.js";
import { recordFailure } from "./record-row.js";
import type { RowAttemptError } from "./row-errors.js";
import type { RowEpisodes } from "./row-episodes.js";
import type { RowDeps, RowWork } from "./row-types.js";

export interface ErrorContext {
  readonly queue: Queue<RowJobData>;
  readonly deps: RowDeps;
  readonly logger: Logger;
  readonly pauses: Pauses;
  /** When acting on the error fails, the job comes back this long later (ms). */
  readonly handBackMs: number;
  readonly shuttingDown: () => boolean;
  readonly onFatal: (error: ConfigurationError) => void;
  readonly credit: CreditOutage;
  /** Where repeated conditions are logged; without it, each row says its own line. */
  readonly episodes?: RowEpisodes;
  /** Told when the budget cap holds a row of this batch (the batch may have ended at the cap). */
  readonly afterHold?: (batchId: string) => void;
  /** The row's batch has no record in Redis any more: nothing is recorded for it. */
  readonly onBatchGone?: (error: BatchGoneError) => void;
  /** Where the conditions holding the batch up are noted for `status` ("waiting for …"). */
  readonly waits?: BatchWaits;
}

/**
 * `work` is the row as read from the row store, or null when reading it failed (then nothing can
 * be recorded: a failure to read is a Redis fault, which records nothing anyway).
 */
export async function onRowError(
  job: Job<RowJobData>,
  work: RowWork | null,
  token: string | undefined,
  failure: RowAttemptError,
  ctx: ErrorContext,
): Promise<never> {
  // BullMQ compares delays with the wall clock, whatever clock the rows are given.
  const target: BullmqTarget = { job, token, queue: ctx.queue, nowMs: Date.now };
  if (failure.cause instanceof BatchGoneError) {
    // Recording anything would make a half batch out of nothing: hand the row back and say so, once.
    ctx.onBatchGone?.(failure.cause);
    await delay(target, ctx.handBackMs).catch(() => undefined);
    throw new DelayedError();
  }
  const action = decideRowAction(failure, {
    attemptsMade: job.attemptsMade,
    maxAttempts: job.opts.attempts ?? 1,
    shuttingDown: ctx.shuttingDown(),
    pauses: ctx.pauses,
  });
  try {
    await prepare(action, job, work, failure, ctx);
    return await applyToBullmq(action, failure.cause, target);
  } catch (outcome) {
    if (isBullmqSignal(outcome) || outcome === failure.cause) throw outcome;
    // Redis failing under us is the outage's to report; anything else is said, without a stack.
    const message = outcome instanceof Error ? outcome.message : String(outcome);
    if (isRedisFault(outcome))
      ctx.logger.debug({ err: outcome, row: job.data.key }, "Redis failed under a row; it stays as it is.");
    else
      ctx.logger.warn(
        { row: job.data.key, reason: message },
        "Could not act on a row's error; handing the row back.",
      );
    // If this fails too, BullMQ's stall recovery hands the row to a worker later.
    await delay(target, ctx.handBackMs).catch(() => undefined);
    throw new DelayedError();
  }
}

/** Logs the action and does what must happen before BullMQ hears of it. */
async function prepare(
  action: RowAction,
  job: Job<RowJobData>,
  work: RowWork | null,
  failure: RowAttemptError,
  ctx: ErrorContext,
): Promise<void> {
  const log = ctx.logger.child({ batch: job.data.batch, row: job.data.key, runId: failure.runId });
  const episodes = ctx.episodes;
  const note = (kind: Parameters<BatchWaits["note"]>[1], reason: string) =>
    ctx.waits?.note(job.data.batch, kind, reason);
  switch (action.kind) {
    case "hold":
      ctx.afterHold?.(job.data.batch);
      return;
    case "hand-back":
      return;
    case "leave":
      log.debug({ reason: action.reason }, "Redis failed under the row; nothing is recorded about it.");
      return;
    case "wait-again": {
      const reason = failure.cause instanceof Error ? failure.cause.message : String(failure.cause);
      note("unreadable", reason);
      if (episodes) episodes.unreadableRuns.occurred({ delayMs: action.delayMs, reason });
      else
        log.info({ delayMs: action.delayMs, reason }, "Cannot read the run right now; looking again later.");
      return;
    }
    case "retry":
      note("transient", action.reason);
      if (episodes) episodes.transient.occurred({ reason: action.reason });
      else
        log.info(
          { reason: action.reason, attempt: job.attemptsMade + 1 },
          "Row hit a transient error; it will be retried.",
        );
      return;
    case "rate-limit":
      note(
        "rate-limited",
        `Runflow answered 429; the queue slows down for ${Math.round(action.delayMs / 1_000)} s at a time`,
      );
      if (episodes) episodes.rateLimited.occurred({ delayMs: action.delayMs });
      else log.info({ delayMs: action.delayMs }, "Runflow is rate limiting; the queue slows down.");
      return;
    case "pause-credit":
      note("out-of-credit", action.reason);
      // With episodes, the outage logs itself (start, summaries, end).
      if (ctx.credit.refused({ reason: action.reason, delayMs: action.delayMs }) && !episodes) {
        log.error(
          { delayMs: action.delayMs },
          `Runflow account is out of credit (${action.reason}); submitting pauses until the balance allows.`,
        );
      }
      return;
    case "pause-local": {
      const reason = localReason(failure.cause, action.reason);
      note("local", reason);
      if (episodes) episodes.localWrite.occurred({ reason, delayMs: action.delayMs });
      else
        log.error(
          { delayMs: action.delayMs },
          `Cannot write the row's images on this machine: ${reason}; the row waits.`,
        );
      return;
    }
    case "stop":
      ctx.onFatal(
        new ConfigurationError(`Runflow refused the request: ${action.reason}`, { cause: failure.cause }),
      );
      return;
    case "fail":
      if (work === null) throw failure.cause; // no row read: nothing to record it with
      await recordFailure(work, ctx.deps, failure, action.reason);
      log.warn({ reason: action.reason }, "Row failed.");
      return;
  }
}

/** "could not write DIR/images/a.png: ENOSPC (…)", without the download's request prefix or the hint. */
function localReason(cause: unknown, fallback: string): string {
  const text = cause instanceof DownloadError && cause.file !== null ? cause.message : fallback;
  const at = text.indexOf("could not write ");
  return (at >= 0 ? text.slice(at) : text).replace(
    / \((a local error on this machine|the output store's error), not Runflow's\)\.?.*$/,
    "",
  );
}
