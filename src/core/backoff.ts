/**
 * The one backoff formula of the tool: the n-th wait is `firstMs · 2^(n-1)`, capped at `maxMs`,
 * drawn at random from its top `jitter` share — [(1 − jitter) · ceiling, ceiling] — so clients
 * that failed together do not retry together. BullMQ's own exponential backoff with jitter is the
 * same curve; every retry loop of ours (rows, balance check, notifications, schedules, feeds, 429s,
 * Redis reconnects) takes its waits from here with a curve of its own. Pure: `random` is injected.
 */

export interface BackoffCurve {
  /** The first wait, in ms; each later one doubles. */
  readonly firstMs: number;
  /** No wait is longer than this (ms). Default: no cap. */
  readonly maxMs?: number;
  /** The share of each wait drawn at random, 0 (none) to 1. */
  readonly jitter: number;
}

/**
 * The wait before retry number `retry` (1 for the first retry), in whole ms.
 * @param random a number in [0, 1): 1 gives the full ceiling, 0 its lowest jittered share.
 */
export function backoffDelay(retry: number, curve: BackoffCurve, random: () => number = Math.random): number {
  const doublings = Math.max(0, Math.floor(retry) - 1);
  const ceiling = Math.min(curve.maxMs ?? Number.POSITIVE_INFINITY, curve.firstMs * 2 ** doublings);
  const jitter = Math.min(1, Math.max(0, curve.jitter));
  return Math.round(ceiling * (1 - jitter + jitter * random()));
}
