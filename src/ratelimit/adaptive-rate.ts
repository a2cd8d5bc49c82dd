/**
 * The request rate one process allows itself when no `--max-rps` is set: a token bucket holding
 * one second of the rate, so a wave of requests goes out in bursts, not one per timer. It starts
 * from what the account is known to take (known-rate.ts: the fastest second that met no 429,
 * kept in Redis), else from `initialRps`, and while no 429 is seen it doubles every tenth of a
 * second its tokens run out (2,000 creates asked at once go within a second, not over five).
 * The first 429 ends the doubling: the rate drops to 90 % of what Runflow let through in the last
 * second, every request waits out Retry-After (or a short pause), and each second without a 429
 * then probes 10 % higher. Pure: time is passed in.
 */
export interface AdaptiveRate {
  /** Milliseconds until the next request may go; 0 = now. */
  delayMs(now: number): number;
  /** Requests that may go at once now (the bucket's whole tokens; 0 while blocked). */
  available(now: number): number;
  /** A request goes now (call when delayMs is 0). */
  take(now: number): void;
  /** Runflow answered 429; `retryAfterMs` from its header, when it sent one. */
  rateLimited(now: number, retryAfterMs: number | null): void;
  /** Requests per second allowed now. */
  rate(): number;
  /** What this process knows of the account: the fastest rate that met no 429; whether one was met. */
  known(): KnownRate;
}

/** What an account is known to take (stored per binding, read at start). */
export interface KnownRate {
  /** Requests per second that went without a 429. */
  readonly rps: number;
  /** A 429 was seen: `rps` is near the account's limit, not just as fast as a process went. */
  readonly limited: boolean;
}

export interface AdaptiveRateOptions {
  /** Rate before anything is known (default 100 req/s). */
  readonly initialRps?: number;
  /** What the account is known to take: start there (and no doubling if it was limited). */
  readonly known?: KnownRate | null;
  /** Share of the rate Runflow let through kept on a 429 (default 0.9). */
  readonly decrease?: number;
  /** Growth per second without a 429 once one was seen (default 0.1 of the rate, at least 1 req/s). */
  readonly increase?: number;
  /** Wait after a 429 without Retry-After (default 500 ms). */
  readonly defaultPauseMs?: number;
  readonly minRps?: number;
}

/** Doubling while no 429 is seen happens at most this often (ms). */
const DOUBLE_EVERY_MS = 100;
const MAX_RPS = 1e6;

export function createAdaptiveRate(options: AdaptiveRateOptions = {}): AdaptiveRate {
  const decrease = options.decrease ?? 0.9;
  const increase = options.increase ?? 0.1;
  const minRps = options.minRps ?? 1;
  const known = options.known ?? null;
  const initial = options.initialRps ?? 100;
  // A rate a process merely reached (no 429) is a floor; a rate that met the limit is the limit.
  let rps = Math.max(minRps, known ? (known.limited ? known.rps : Math.max(known.rps, initial)) : initial);
  let slowStart = !known?.limited;
  let tokens = rps; // a full second's worth: the first wave goes at once
  let refilledAt: number | null = null;
  let blockedUntil = 0;
  let grewAt: number | null = null;
  let ranDry = false;
  let best: KnownRate = known ?? { rps: 0, limited: false };
  // Sends and 429s in the last second: the rate Runflow let through when it said 429.
  const sent = lastSecond();
  const refused = lastSecond();

  function refill(now: number): void {
    if (refilledAt === null) refilledAt = now;
    tokens = Math.min(rps, tokens + ((now - refilledAt) * rps) / 1_000);
    refilledAt = now;
  }
  function grow(now: number): void {
    if (grewAt === null) grewAt = now;
    const step = slowStart ? DOUBLE_EVERY_MS : 1_000;
    const steps = Math.floor((now - grewAt) / step);
    if (steps <= 0) return;
    grewAt += steps * step;
    // Only a rate that was used up grows: an idle process does not raise a rate it never tried.
    if (!ranDry) return;
    ranDry = false;
    rps = Math.min(MAX_RPS, slowStart ? rps * 2 : rps + Math.max(1, rps * increase));
  }
  function noteGood(now: number): void {
    const count = sent.count(now);
    if (refused.count(now) === 0 && count > best.rps) best = { rps: count, limited: best.limited };
  }

  return {
    delayMs(now) {
      grow(now);
      refill(now);
      if (blockedUntil > now) return blockedUntil - now;
      return tokens >= 1 ? 0 : Math.ceil(((1 - tokens) * 1_000) / rps);
    },
    available(now) {
      grow(now);
      refill(now);
      return blockedUntil > now ? 0 : Math.floor(tokens);
    },
    take(now) {
      refill(now);
      tokens -= 1;
      if (tokens < 1) ranDry = true;
      sent.push(now);
      noteGood(now);
    },
    rateLimited(now, retryAfterMs) {
      refused.push(now);
      const letThrough = Math.max(minRps, sent.count(now) - refused.count(now));
      if (slowStart || letThrough * decrease < rps) rps = Math.max(minRps, letThrough * decrease);
      slowStart = false;
      best = { rps: Math.min(best.rps, rps) || rps, limited: true };
      tokens = 0;
      ranDry = false;
      blockedUntil = Math.max(blockedUntil, now + (retryAfterMs ?? options.defaultPauseMs ?? 500));
      refilledAt = blockedUntil;
      grewAt = blockedUntil;
    },
    rate: () => rps,
    known: () => best,
  };
}

/** Times of events in the last second (a queue with a moving head: no shifting of big arrays). */
function lastSecond() {
  let times: number[] = [];
  let head = 0;
  return {
    push(now: number): void {
      times.push(now);
    },
    count(now: number): number {
      while (head < times.length && (times[head] as number) <= now - 1_000) head += 1;
      if (head > 4_096 && head * 2 > times.length) {
        times = times.slice(head);
        head = 0;
      }
      return times.length - head;
    },
  };
}
