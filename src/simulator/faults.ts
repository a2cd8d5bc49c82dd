/**
 * Faults on demand: a request-rate limit (429) and a share of server errors (5xx). Both are
 * decided before a request does anything, so a refused create never creates or bills a run and
 * a retry with the same Idempotency-Key is clean.
 */
import type { Prng } from "./prng.js";

export interface RateLimiter {
  /** Takes a token; returns 0 when allowed, else the milliseconds until a token is available. */
  take(now: number): number;
}

/** Token bucket: `rate` tokens per second, bursts up to `rate`, full at `now`. */
export function createRateLimiter(rate: number, now: number): RateLimiter {
  let tokens = rate;
  let last = now;
  return {
    take(at) {
      const elapsed = Math.max(0, at - last) / 1000;
      last = at;
      tokens = Math.min(rate, tokens + elapsed * rate);
      if (tokens >= 1) {
        tokens -= 1;
        return 0;
      }
      return Math.ceil(((1 - tokens) / rate) * 1000);
    },
  };
}

/** Whole seconds for Retry-After (at least 1). */
export function retryAfterSeconds(waitMs: number): string {
  return String(Math.max(1, Math.ceil(waitMs / 1000)));
}

export interface ServerFault {
  readonly status: 500 | 503;
  readonly code: "INTERNAL_ERROR" | "MODEL_UNAVAILABLE";
  readonly message: string;
}

/** With probability `errorRate`, the 5xx this request gets; null otherwise. */
export function pickServerFault(prng: Prng, errorRate: number): ServerFault | null {
  if (!prng.chance(errorRate)) return null;
  return prng.next() < 0.5
    ? {
        status: 503,
        code: "MODEL_UNAVAILABLE",
        message: "The model provider is temporarily unavailable (simulated); retry with backoff.",
      }
    : {
        status: 500,
        code: "INTERNAL_ERROR",
        message: "Internal server error (simulated); retry with backoff.",
      };
}
