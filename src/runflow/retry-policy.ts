/**
 * The one retry policy: every retry loop of the tool asks here whether a failure is worth another
 * try and how long to wait first — the worker's rows, the start-up balance check, notifications,
 * schedule occurrences, feeds fetched from a URL and the rate limiter's 429 retries. The answers
 * come from the error table (error-table.ts); the waits from the one backoff formula
 * (core/backoff.ts), each caller with a curve of its own below. Pure.
 */
import { backoffDelay, type BackoffCurve } from "../core/backoff.js";
import { apiDecision, NETWORK_CODES } from "./error-table.js";
import { classifyError, DownloadError } from "./errors.js";

export { backoffDelay, type BackoffCurve } from "../core/backoff.js";

/**
 * May an HTTP answer with this status be tried again as it is? 408, 429 and 5xx: the server was
 * busy, limiting or failing for a moment. Anything else is an answer (or a refusal) for good.
 */
export function isRetryableStatus(status: number): boolean {
  const kind = apiDecision(status, null);
  return kind === "retry" || kind === "rate-limited";
}

/** Is this a Node or undici error of the network (refused, reset, timed out, DNS): no usable answer? */
export function isNetworkError(error: unknown): boolean {
  for (let current = error, depth = 0; current instanceof Error && depth < 3; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && NETWORK_CODES.has(code)) return true;
    current = current.cause;
  }
  return false;
}

/**
 * Runflow said for sure that a run's outputs are gone: still refused after re-reading the run for
 * fresh URLs, the re-read run has no such output, or the run itself is unknown now. A passing
 * fault (network, 5xx, 429, a local write error) is not: the outputs may be fetched later.
 */
export function outputsGone(error: unknown): boolean {
  if (error instanceof DownloadError) return error.failure === "expired" || error.failure === "no-url";
  return classifyError(error).kind === "permanent";
}

/**
 * How long to wait before retry number `retry` (1 for the first): Runflow's Retry-After when it
 * sent one, else the curve's backoff.
 */
export function retryWaitMs(
  retryAfterMs: number | null,
  retry: number,
  curve: BackoffCurve,
  random: () => number = Math.random,
): number {
  return retryAfterMs ?? backoffDelay(retry, curve, random);
}

/** Each retry loop's curve: how long its first wait is, how far it grows, how much of it is random. */
export const BACKOFF = {
  /** A row's BullMQ retries on transient errors: `--retry-backoff` first (2 s), doubling. */
  row: (firstMs: number): BackoffCurve => ({ firstMs, jitter: 0.5 }),
  /** A schedule occurrence whose start failed for a passing reason: 5 s first, doubling. */
  occurrence: (firstMs: number): BackoffCurve => ({ firstMs, maxMs: 5 * 60_000, jitter: 0.5 }),
  /** The start-up balance check: 1 s, doubling to at most 30 s, until `--start-timeout`. */
  balanceCheck: { firstMs: 1_000, maxMs: 30_000, jitter: 0.5 },
  /** A batch's notification (`--notify-url`): NOTIFY_DEFAULTS.backoffMs first, doubling. */
  notify: (firstMs: number): BackoffCurve => ({ firstMs, maxMs: 5 * 60_000, jitter: 0.5 }),
  /** Fetching a feed from a URL (feed/fetch.ts): FEED_FETCH_DEFAULTS.backoffMs first, doubling. */
  feedFetch: (firstMs: number): BackoffCurve => ({ firstMs, maxMs: 5 * 60_000, jitter: 0.5 }),
  /** A request Runflow answered 429 without Retry-After: 1 s, doubling to at most 30 s. */
  rateLimited: { firstMs: 1_000, maxMs: 30_000, jitter: 0.5 },
} as const satisfies Record<string, BackoffCurve | ((firstMs: number) => BackoffCurve)>;

/**
 * The `backoff.type` of BullMQ jobs whose retries wait the policy's backoff: BullMQ then asks the
 * worker's `settings.backoffStrategy` (bullmqBackoff), their `backoff.delay` being the first wait.
 */
export const POLICY_BACKOFF = "retry-policy";

/** What BullMQ tells a backoff strategy about the job (its `opts.backoff`). */
interface BackoffJob {
  readonly opts?: { readonly backoff?: number | { readonly delay?: number } | undefined };
}

/**
 * A BullMQ `backoffStrategy`: the wait before a job's retry number `attemptsMade` on `curve`,
 * starting at the job's own `backoff.delay` (else `firstMs`).
 */
export function bullmqBackoff(
  curve: (firstMs: number) => BackoffCurve,
  firstMs: number,
  random: () => number = Math.random,
): (attemptsMade: number, type?: string, err?: Error, job?: BackoffJob) => number {
  return (attemptsMade, _type, _err, job) => {
    const backoff = job?.opts?.backoff;
    const delay = typeof backoff === "number" ? backoff : backoff?.delay;
    const first = typeof delay === "number" && delay > 0 ? delay : firstMs;
    return backoffDelay(attemptsMade, curve(first), random);
  };
}
