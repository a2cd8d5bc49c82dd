/**
 * A RunflowClient whose API requests (creates, reads, balance) each wait for the limiter first;
 * downloads go to output hosts and are not limited. A 429 tells the limiter (every request of
 * the process then holds back for its Retry-After, or without one the retry policy's backoff,
 * runflow/retry-policy.ts) and the request is tried again behind it, a few times, instead of
 * failing the row and pausing the whole queue. Safe for creates: a 429
 * created nothing, and the Idempotency-Key is the same.
 */
import { classifyError } from "../runflow/errors.js";
import { BACKOFF, retryWaitMs } from "../runflow/retry-policy.js";
import type { RunflowClient } from "../runflow/types.js";
import type { RequestLimiter } from "./shared-limiter.js";

/** Tries of one request under 429s before the caller's policy gets the 429. */
export const RATE_LIMITED_TRIES = 5;

export function withRateLimit(
  client: RunflowClient,
  limiter: RequestLimiter,
  random: () => number = Math.random,
): RunflowClient {
  async function limited<T>(call: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
      await limiter.acquire();
      try {
        return await call();
      } catch (error) {
        const decision = classifyError(error);
        if (decision.kind !== "rate-limited") throw error;
        limiter.rateLimited(retryWaitMs(decision.retryAfterMs, attempt, BACKOFF.rateLimited, random));
        if (attempt >= RATE_LIMITED_TRIES) throw error;
      }
    }
  }
  return {
    createRun: (request) => limited(() => client.createRun(request)),
    getRun: (id) => limited(() => client.getRun(id)),
    getBalance: () => limited(() => client.getBalance()),
    downloadOutput: (request) => client.downloadOutput(request),
    async close() {
      limiter.close();
      await client.close();
    },
  };
}
