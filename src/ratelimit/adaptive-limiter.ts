/**
 * The process's own request limiter when no `--max-rps` is set: requests in order under an
 * AdaptiveRate, released in bursts of whatever the rate allows at once. With a store, it starts
 * from the rate the account is known to take (known-rate.ts) and keeps it up to date: the first
 * wave of a batch goes at the pace the account took last time, without a slow start.
 */
import { setTimeout as sleep } from "node:timers/promises";
import {
  createAdaptiveRate,
  type AdaptiveRate,
  type AdaptiveRateOptions,
  type KnownRate,
} from "./adaptive-rate.js";
import type { KnownRateStore } from "./known-rate.js";
import type { RequestLimiter } from "./shared-limiter.js";

export interface AdaptiveLimiterOptions {
  /** Default: a fresh AdaptiveRate (from the store's known rate once loaded, when there is a store). */
  readonly rate?: AdaptiveRate;
  readonly rateOptions?: AdaptiveRateOptions;
  readonly store?: KnownRateStore | undefined;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<unknown>;
  /** Store failures (it is an optimisation: requests go on). */
  readonly onStoreError?: (error: unknown) => void;
}

/** A queue waiting for the rate wakes at most this often (ms). */
const TICK_MS = 20;
/** The known rate is written back at most this often, when it changed. */
const SAVE_EVERY_MS = 2_000;

/** The limiter's rate, which the known rate may replace before the first request. */
interface RateHolder {
  rate: AdaptiveRate;
  used: boolean;
}

/** Keeping the account's known rate in the store: read at start, written back when it changed. */
function knownRateKeeper(options: AdaptiveLimiterOptions, holder: RateHolder) {
  const onStoreError = options.onStoreError ?? (() => undefined);
  let saved: KnownRate | null = null;
  let savedAt = Number.NEGATIVE_INFINITY;
  const ready =
    options.store && !options.rate
      ? options.store.load().then(
          (known) => {
            saved = known;
            // Only before the first request: a rate in use is not replaced.
            if (known && !holder.used) holder.rate = createAdaptiveRate({ ...options.rateOptions, known });
          },
          (error: unknown) => onStoreError(error),
        )
      : Promise.resolve();
  return {
    ready,
    maybeSave(at: number): void {
      if (!options.store || at - savedAt < SAVE_EVERY_MS) return;
      const known = holder.rate.known();
      if (known.rps <= 0 || (saved && saved.rps === known.rps && saved.limited === known.limited)) return;
      savedAt = at;
      saved = known;
      options.store.save(known).catch(onStoreError);
    },
    /** A 429 is news worth keeping at once. */
    saveNext: () => void (savedAt = Number.NEGATIVE_INFINITY),
  };
}

export function createAdaptiveLimiter(options: AdaptiveLimiterOptions = {}): RequestLimiter & {
  /** Settles once the store's known rate was read (or could not be). */
  readonly ready: Promise<void>;
} {
  const now = options.now ?? Date.now;
  const nap = options.sleep ?? ((ms: number) => sleep(ms));
  const holder: RateHolder = { rate: options.rate ?? createAdaptiveRate(options.rateOptions), used: false };
  const keeper = knownRateKeeper(options, holder);
  const queue: Array<() => void> = [];
  let pumping = false;
  let closed = false;

  async function pump(): Promise<void> {
    pumping = true;
    try {
      while (queue.length > 0 && !closed) {
        const at = now();
        const delay = holder.rate.delayMs(at);
        if (delay > 0) {
          // Wake at most every TICK_MS: what accrued meanwhile goes in one burst.
          await nap(Math.max(delay, TICK_MS));
          continue;
        }
        // Everything the rate allows now, at once.
        const burst = Math.min(queue.length, Math.max(1, holder.rate.available(at)));
        for (let i = 0; i < burst; i += 1) {
          holder.rate.take(at);
          queue.shift()?.();
        }
        keeper.maybeSave(at);
      }
    } finally {
      pumping = false;
    }
  }

  return {
    ready: keeper.ready,
    acquire() {
      holder.used = true;
      const at = now();
      // The common case: no queue, a token to spare, no timer.
      if (queue.length === 0 && holder.rate.delayMs(at) === 0) {
        holder.rate.take(at);
        keeper.maybeSave(at);
        return Promise.resolve();
      }
      return new Promise<void>((resolve) => {
        queue.push(resolve);
        if (!pumping) void pump();
      });
    },
    rateLimited(retryAfterMs) {
      const at = now();
      holder.rate.rateLimited(at, retryAfterMs);
      keeper.saveNext();
      keeper.maybeSave(at);
    },
    close() {
      closed = true;
      keeper.maybeSave(Number.POSITIVE_INFINITY);
      for (const release of queue.splice(0)) release();
    },
  };
}
