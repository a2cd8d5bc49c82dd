/**
 * The request rate one process allows itself when no `--max-rps` is set. It starts at
 * `initialRps` and doubles every second without a 429 (slow start, so a first wave of thousands
 * of rows does not meet the account's limit all at once); the first 429 ends the doubling. A 429
 * stops every request until its Retry-After has passed and cuts the rate to 80 % of what was
 * being sent; each second without a 429 then probes upward by 10 % (at least 1 req/s). Pure:
 * time is passed in.
 */
export interface AdaptiveRate {
  /** Milliseconds until the next request may go; 0 = now. */
  delayMs(now: number): number;
  /** A request goes now (call when delayMs is 0). */
  take(now: number): void;
  /** Runflow answered 429; `retryAfterMs` from its header, when it sent one. */
  rateLimited(now: number, retryAfterMs: number | null): void;
  /** Requests per second allowed now. */
  rate(): number;
}

export interface AdaptiveRateOptions {
  /** Rate before any 429, doubled each quiet second (default 50 req/s). */
  readonly initialRps?: number;
  /** Cut on a 429: the new rate is this share of the rate sent (default 0.8). */
  readonly decrease?: number;
  /** Growth per second without a 429 once one was seen (default 0.1 of the rate, at least 1 req/s). */
  readonly increase?: number;
  /** Wait after a 429 without Retry-After (default 1 s). */
  readonly defaultPauseMs?: number;
  readonly minRps?: number;
}

export function createAdaptiveRate(options: AdaptiveRateOptions = {}): AdaptiveRate {
  const decrease = options.decrease ?? 0.8;
  const increase = options.increase ?? 0.1;
  const minRps = options.minRps ?? 1;
  let rps = options.initialRps ?? 50;
  let slowStart = true;
  let blockedUntil = 0;
  let nextAt = 0; // earliest time of the next request under `rps` (even spacing, no bursts)
  let lastGrowth: number | null = null;
  // Requests sent in the last second, to know what rate a 429 answered.
  const sent: number[] = [];

  const sentRate = (now: number): number => {
    while (sent.length > 0 && (sent[0] as number) <= now - 1_000) sent.shift();
    return sent.length;
  };
  const grow = (now: number): void => {
    if (lastGrowth === null) lastGrowth = now;
    const seconds = Math.floor((now - lastGrowth) / 1_000);
    if (seconds <= 0) return;
    // Doubling only while the rate is used: an idle process does not grow a rate it never tried.
    const used = sentRate(now) >= 0.5 * rps;
    for (let i = 0; i < Math.min(seconds, 200); i += 1)
      rps = slowStart ? (used ? rps * 2 : rps) : rps + Math.max(1, rps * increase);
    rps = Math.min(rps, 1e6);
    lastGrowth += seconds * 1_000;
  };

  return {
    delayMs(now) {
      grow(now);
      return Math.max(0, blockedUntil - now, nextAt - now);
    },
    take(now) {
      sent.push(now);
      nextAt = Math.max(now, nextAt) + 1_000 / rps;
    },
    rateLimited(now, retryAfterMs) {
      const wasSending = Math.max(minRps, sentRate(now));
      slowStart = false;
      rps = Math.max(minRps, Math.min(rps, wasSending) * decrease);
      blockedUntil = Math.max(blockedUntil, now + (retryAfterMs ?? options.defaultPauseMs ?? 1_000));
      nextAt = Math.max(nextAt, blockedUntil);
      lastGrowth = blockedUntil;
    },
    rate: () => rps,
  };
}
