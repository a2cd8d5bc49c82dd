/** The process's own request limiter when no `--max-rps` is set: requests in order under an AdaptiveRate. */
import { setTimeout as sleep } from "node:timers/promises";
import { createAdaptiveRate, type AdaptiveRate } from "./adaptive-rate.js";
import type { RequestLimiter } from "./shared-limiter.js";

export function createAdaptiveLimiter(
  rate: AdaptiveRate = createAdaptiveRate(),
  now: () => number = Date.now,
): RequestLimiter {
  const queue: Array<() => void> = [];
  let pumping = false;
  let closed = false;

  async function pump(): Promise<void> {
    pumping = true;
    try {
      while (queue.length > 0 && !closed) {
        const delay = rate.delayMs(now());
        if (delay > 0) {
          await sleep(delay);
          continue;
        }
        rate.take(now());
        queue.shift()?.();
      }
    } finally {
      pumping = false;
    }
  }

  return {
    acquire() {
      // The common case, before any 429: no queue, no timer.
      if (queue.length === 0 && rate.delayMs(now()) === 0) {
        rate.take(now());
        return Promise.resolve();
      }
      return new Promise<void>((resolve) => {
        queue.push(resolve);
        if (!pumping) void pump();
      });
    },
    rateLimited(retryAfterMs) {
      rate.rateLimited(now(), retryAfterMs);
    },
    close() {
      closed = true;
      for (const release of queue.splice(0)) release();
    },
  };
}
