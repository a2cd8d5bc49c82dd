/**
 * The one place that turns "this row's attempt failed" into what the worker does next. Pure: it
 * sees the failure (its phase and cause), the client's decision from runflow/error-table.ts, the
 * job's attempt count and the pauses; nothing else. bullmq-action.ts carries the action out.
 *
 * A failure comes from one of three places, never confused: Redis failing under the row (its
 * connection closed or given up on: redis/faults.ts) leaves the row as it is, recording nothing —
 * Redis is the outage's to report, never a row's outcome; this machine's file system (a directory
 * that cannot be written: ENOSPC, EACCES) pauses it; Runflow's answer goes by the error table and
 * the retry policy. Anything else is a bug, and the row fails saying so.
 */
import type { Pauses } from "../config/defaults.js";
import { isRedisFault } from "../redis/faults.js";
import { DECISIONS } from "../runflow/error-table.js";
import { classifyError } from "../runflow/errors.js";
import { outputsGone } from "../runflow/retry-policy.js";
import type { ErrorDecision } from "../runflow/types.js";
import { DraftReadFailed, DraftUnavailable } from "./draft-input.js";
import { BudgetHold, type RowAttemptError } from "./row-errors.js";
import type { RowPhase } from "./row-types.js";

export type { Pauses } from "../config/defaults.js";

export type RowAction =
  /** The budget cap holds the row: it looks again later (raising the cap promotes it at once). */
  | { readonly kind: "hold"; readonly delayMs: number }
  /** The worker is shutting down: the row goes back now (its run id is saved: the next worker resumes it). */
  | { readonly kind: "hand-back" }
  /**
   * Redis failed under the row: nothing is recorded about it, and its job goes back (if Redis
   * still takes it) or stays where it is for whoever works the batch next; its run id is saved.
   */
  | { readonly kind: "leave"; readonly delayMs: number; readonly reason: string }
  /** The run exists but Runflow cannot be read right now: look again later, costing no attempt. */
  | { readonly kind: "wait-again"; readonly delayMs: number }
  /** Let BullMQ retry the job with exponential backoff and jitter (costs one attempt). */
  | { readonly kind: "retry"; readonly reason: string }
  /** Slow the whole queue down for a while; the job goes back without losing an attempt. */
  | { readonly kind: "rate-limit"; readonly delayMs: number }
  /** Out of credit: stop submitting for a while, say so loudly (once per outage), keep the row. */
  | { readonly kind: "pause-credit"; readonly delayMs: number; readonly reason: string }
  /**
   * This machine cannot write the row's images: the row keeps its run and waits, submitting
   * pauses; the problem is local (a path, an OS reason), never Runflow's.
   */
  | { readonly kind: "pause-local"; readonly delayMs: number; readonly reason: string }
  /** Misconfigured (bad key, no permission): stop the worker and hold the queue; the row is not at fault. */
  | { readonly kind: "stop"; readonly delayMs: number; readonly reason: string }
  /** The row cannot succeed: record it as failed now. */
  | { readonly kind: "fail"; readonly reason: string };

/** What the policy is told about the job besides its failure. */
export interface JobSituation {
  /** Attempts that already failed before this one (BullMQ's job.attemptsMade). */
  readonly attemptsMade: number;
  /** The job's `attempts` option. */
  readonly maxAttempts: number;
  readonly shuttingDown: boolean;
  readonly pauses: Pauses;
}

export function decideRowAction(failure: RowAttemptError, job: JobSituation): RowAction {
  const { cause } = failure;
  if (isRedisFault(cause)) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    return { kind: "leave", delayMs: job.pauses.unreadableRunMs, reason: `Redis failed: ${reason}` };
  }
  if (cause instanceof BudgetHold) return { kind: "hold", delayMs: job.pauses.budgetHoldMs };
  // Shutting down: hand the job back at once, whatever went wrong; the next worker starts afresh.
  if (job.shuttingDown) return { kind: "hand-back" };
  if (failure.phase === "download") return downloadAction(failure, job);
  // A final's draft image: gone for good fails the row; a passing trouble reading it is tried again.
  if (cause instanceof DraftUnavailable) return { kind: "fail", reason: cause.message };
  return decideAction(
    classifyError(cause instanceof DraftReadFailed ? cause.cause : cause),
    job.attemptsMade,
    job.maxAttempts,
    job.pauses,
    failure.phase,
  );
}

/**
 * A run that succeeded was paid for: its download is never given up while Runflow still has the
 * outputs. Transient trouble (network, a dropped connection, 5xx, 429) waits and tries again
 * without costing an attempt; only when Runflow no longer serves the outputs (still refused after
 * re-reading the run for fresh URLs, or the run is gone) is the row recorded failed, keeping its cost.
 */
function downloadAction(failure: RowAttemptError, job: JobSituation): RowAction {
  const { cause } = failure;
  const reason = cause instanceof Error ? cause.message : String(cause);
  if (outputsGone(cause)) return { kind: "fail", reason: `paid, images lost: ${reason}` };
  const decision = classifyError(cause);
  const action = DECISIONS[decision.kind].action;
  if (action === "retry" || action === "rate-limit") {
    const retryAfterMs = decision.kind === "rate-limited" ? decision.retryAfterMs : null;
    return { kind: "wait-again", delayMs: retryAfterMs ?? job.pauses.unreadableRunMs };
  }
  if (action === "fail") return { kind: "fail", reason: `paid, images lost: ${reason}` };
  return decideAction(decision, job.attemptsMade, job.maxAttempts, job.pauses, failure.phase);
}

/**
 * The action for a classified failure: the table's action for its decision (DECISIONS), then
 * weighed by the row's phase and attempts.
 * @param phase while waiting on a run that exists, transient trouble never fails the row: the
 *   run may well have succeeded (and been billed), so giving up would lose a paid result.
 */
export function decideAction(
  decision: ErrorDecision,
  attemptsMade: number,
  maxAttempts: number,
  pauses: Pauses,
  phase: RowPhase = "create",
): RowAction {
  const action = DECISIONS[decision.kind].action;
  const retryAfterMs = decision.kind === "rate-limited" ? decision.retryAfterMs : null;
  const reason = decision.kind === "rate-limited" ? "rate limited" : decision.reason;
  if (phase === "wait" && (action === "retry" || action === "rate-limit")) {
    return { kind: "wait-again", delayMs: retryAfterMs ?? pauses.unreadableRunMs };
  }
  switch (action) {
    case "rate-limit":
      return { kind: "rate-limit", delayMs: retryAfterMs ?? pauses.rateLimitMs };
    case "pause-credit":
      return { kind: "pause-credit", delayMs: pauses.outOfCreditMs, reason };
    case "pause-local":
      return { kind: "pause-local", delayMs: pauses.localWriteMs, reason };
    case "stop":
      return { kind: "stop", delayMs: pauses.misconfiguredMs, reason };
    case "fail":
      return { kind: "fail", reason };
    case "retry":
      return attemptsMade + 1 >= maxAttempts
        ? { kind: "fail", reason: `gave up after ${maxAttempts} attempts: ${reason}` }
        : { kind: "retry", reason };
  }
}
