/**
 * The one place that turns "this request failed" into what the worker does next. Pure: it sees
 * the client's classification and the job's attempt count, nothing else.
 */
import type { ErrorDecision } from "../runflow/types.js";

export type WorkerAction =
  /** The run exists but Runflow cannot be read right now: look again later, costing no attempt. */
  | { readonly kind: "wait-again"; readonly delayMs: number }
  /** Let BullMQ retry the job with exponential backoff and jitter (costs one attempt). */
  | { readonly kind: "retry"; readonly reason: string }
  /** Slow the whole queue down for a while; the job goes back without losing an attempt. */
  | { readonly kind: "rate-limit"; readonly delayMs: number }
  /** Out of credit: stop submitting for a while, say so loudly, keep the row. */
  | { readonly kind: "pause-credit"; readonly delayMs: number; readonly reason: string }
  /** Misconfigured (bad key, no permission): stop the worker; the row is not at fault. */
  | { readonly kind: "stop"; readonly reason: string }
  /** The row cannot succeed: record it as failed now. */
  | { readonly kind: "fail"; readonly reason: string };

export interface RetryPolicy {
  /** Used for 429 without Retry-After. */
  readonly rateLimitDelayMs: number;
  /** How long submitting pauses after a 402 before trying again. */
  readonly creditPauseMs: number;
  /** How long to wait before reading a run again after Runflow could not be reached. */
  readonly waitRetryMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { rateLimitDelayMs: 5_000, creditPauseMs: 30_000, waitRetryMs: 15_000 };

/** Where the row was: creating its run, waiting on it, or downloading its images. */
export type RowPhase = "create" | "wait" | "download";

/**
 * @param attemptsMade attempts that already failed before this one (BullMQ's job.attemptsMade)
 * @param maxAttempts the job's `attempts` option
 * @param phase while waiting on a run that exists, transient trouble never fails the row: the
 *   run may well have succeeded (and been billed), so giving up would lose a paid result.
 */
export function decideAction(
  decision: ErrorDecision,
  attemptsMade: number,
  maxAttempts: number,
  policy: RetryPolicy = DEFAULT_RETRY_POLICY,
  phase: RowPhase = "create",
): WorkerAction {
  if (phase === "wait" && (decision.kind === "retry" || decision.kind === "rate-limited")) {
    const hinted = decision.kind === "rate-limited" ? decision.retryAfterMs : null;
    return { kind: "wait-again", delayMs: hinted ?? policy.waitRetryMs };
  }
  switch (decision.kind) {
    case "rate-limited":
      return { kind: "rate-limit", delayMs: decision.retryAfterMs ?? policy.rateLimitDelayMs };
    case "out-of-credit":
      return { kind: "pause-credit", delayMs: policy.creditPauseMs, reason: decision.reason };
    case "configuration":
      return { kind: "stop", reason: decision.reason };
    case "permanent":
      return { kind: "fail", reason: decision.reason };
    case "retry":
      return attemptsMade + 1 >= maxAttempts
        ? { kind: "fail", reason: `gave up after ${maxAttempts} attempts: ${decision.reason}` }
        : { kind: "retry", reason: decision.reason };
  }
}
