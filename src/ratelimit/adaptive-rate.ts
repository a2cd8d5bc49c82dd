/**
 * The request rate one process allows itself when no `--max-rps` is set: unlimited until Runflow
 * answers 429, then additive-increase / multiplicative-decrease. A 429 stops every request until
 * its Retry-After has passed and cuts the rate to 70 % of what was being sent; each second
 * without a 429 probes upward by 5 % (at least 1 req/s). Pure: time is passed in.
 */
export interface AdaptiveRate {
  /** Milliseconds until the next request may go; 0 = now. */
  delayMs(now: number): number;
  /** A request goes now (call when delayMs is 0). */
  take(now: number): void;
  /** Runflow answered 429; `retryAfterMs` from its header, when it sent one. */
  rateLimited(now: number, retryAfterMs: number | null): void;
  /** Requests per second allowed now; Infinity before the first 429. */
  rate(): number;
}

export interface AdaptiveRateOptions {
  /** Cut on a 429: the new rate is this share of the rate sent (default 0.7). */
  readonly decrease?: number;
  /** Growth per second without a 429 (default 0.05 of the rate, at least 1 req/s). */
  readonly increase?: number;
  /** Wait after a 429 without Retry-After (default 1 s). */
  readonly defaultPauseMs?: number;
  readonly minRps?: number;
}

export function createAdaptiveRate(options: AdaptiveRateOptions = {}): AdaptiveRate {
  const decrease = options.decrease ?? 0.7;
  const increase = options.increase ?? 0.05;
  const minRps = options.minRps ?? 1;
  let rps = Infinity;
  let blockedUntil = 0;
  let nextAt = 0; // earliest time of the next request under `rps` (even spacing, no bursts)
  let lastGrowth = 0;
  // Requests sent in the last second, to know what rate a 429 answered.
  const sent: number[] = [];

  const sentRate = (now: number): number => {
    while (sent.length > 0 && (sent[0] as number) <= now - 1_000) sent.shift();
    return sent.length;
  };
  const grow = (now: number): void => {
    if (!Number.isFinite(rps)) return;
    const seconds = Math.floor((now - lastGrowth) / 1_000);
    if (seconds <= 0) return;
    for (let i = 0; i < seconds; i += 1) rps += Math.max(1, rps * increase);
    lastGrowth += seconds * 1_000;
  };

  return {
    delayMs(now) {
      grow(now);
      return Math.max(0, blockedUntil - now, nextAt - now);
    },
    take(now) {
      sent.push(now);
      if (Number.isFinite(rps)) nextAt = Math.max(now, nextAt) + 1_000 / rps;
    },
    rateLimited(now, retryAfterMs) {
      const wasSending = Math.max(minRps, sentRate(now));
      rps = Math.max(minRps, Math.min(rps, wasSending) * decrease);
      blockedUntil = Math.max(blockedUntil, now + (retryAfterMs ?? options.defaultPauseMs ?? 1_000));
      nextAt = Math.max(nextAt, blockedUntil);
      lastGrowth = blockedUntil;
    },
    rate: () => rps,
  };
}
