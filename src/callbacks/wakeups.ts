/**
 * Waking a row that waits on a run. Every waiting row sleeps here (one timer each, and one
 * shutdown listener for all of them, not one per row); a callback for the run ends the sleep
 * early. With Redis, a callback announced in any process reaches the row in whichever process
 * waits on it: announcements go out on one pub/sub channel under the key prefix, and every
 * process's subscriber wakes its own sleepers. A wake is only a hint to look now: the row reads
 * the run before it believes anything (wait-for-run.ts).
 */
import type { Redis } from "ioredis";
import type { Logger } from "../log/logger.js";
import { createRecentSet } from "./recent-set.js";

export type WakeReason = "timer" | "callback";

export interface RunWakeups {
  /** Resolves after `ms`, or at once when the run's callback arrives; rejects when shut down. */
  sleep(runId: string, ms: number): Promise<WakeReason>;
  /** A callback for the run arrived: wake whoever waits on it, in any process. */
  announce(runId: string): Promise<void>;
  /** Runs waited on right now in this process. */
  waiting(): number;
  close(): Promise<void>;
}

interface Sleeper {
  readonly resolve: (reason: WakeReason) => void;
  readonly reject: (error: unknown) => void;
  readonly timer: NodeJS.Timeout;
}

/** Callbacks that came before their row went to sleep (a fast run) are remembered this many at most. */
const EARLY_CAPACITY = 20_000;

function shutdownError(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException("The operation was aborted", "AbortError");
}

/** Sleepers of this process, woken by their timer, a local announcement or `wake`. */
export function createLocalWakeups(signal?: AbortSignal): RunWakeups & { wake(runId: string): void } {
  const sleepers = new Map<string, Set<Sleeper>>();
  const early = createRecentSet(EARLY_CAPACITY);
  const forget = (runId: string, sleeper: Sleeper) => {
    const set = sleepers.get(runId);
    set?.delete(sleeper);
    if (set?.size === 0) sleepers.delete(runId);
  };
  signal?.addEventListener(
    "abort",
    () => {
      const error = shutdownError(signal);
      for (const set of sleepers.values())
        for (const sleeper of set) {
          clearTimeout(sleeper.timer);
          sleeper.reject(error);
        }
      sleepers.clear();
    },
    { once: true },
  );
  function wake(runId: string): void {
    const set = sleepers.get(runId);
    if (!set) {
      early.add(runId);
      return;
    }
    sleepers.delete(runId);
    for (const sleeper of set) {
      clearTimeout(sleeper.timer);
      sleeper.resolve("callback");
    }
  }
  return {
    sleep(runId, ms) {
      if (signal?.aborted) return Promise.reject(shutdownError(signal));
      // A callback that came first wakes the next sleep once, not every sleep after it.
      if (early.delete(runId)) return Promise.resolve("callback");
      return new Promise<WakeReason>((resolve, reject) => {
        const sleeper: Sleeper = {
          resolve,
          reject,
          timer: setTimeout(() => {
            forget(runId, sleeper);
            resolve("timer");
          }, ms),
        };
        let set = sleepers.get(runId);
        if (!set) sleepers.set(runId, (set = new Set()));
        set.add(sleeper);
      });
    },
    async announce(runId) {
      wake(runId);
    },
    wake,
    waiting: () => sleepers.size,
    async close() {
      for (const set of sleepers.values()) for (const sleeper of set) clearTimeout(sleeper.timer);
      sleepers.clear();
    },
  };
}

export interface SharedWakeupsOptions {
  /** Any connection; a duplicate of it subscribes. */
  readonly redis: Redis;
  /** The pub/sub channel (keys.callbacks). */
  readonly channel: string;
  readonly logger: Logger;
  readonly signal?: AbortSignal | undefined;
}

/**
 * Sleepers of this process, woken also by announcements made in any process (Redis pub/sub).
 * `ready` settles once subscribed; until then (or while Redis is away) polling covers.
 */
export function createSharedWakeups(
  options: SharedWakeupsOptions,
): RunWakeups & { readonly ready: Promise<void> } {
  const { redis, channel, logger } = options;
  const local = createLocalWakeups(options.signal);
  const subscriber = redis.duplicate();
  subscriber.on("error", (err: unknown) =>
    logger.debug({ err }, "Callback channel connection trouble; polling covers the gap."),
  );
  subscriber.on("message", (from: string, runId: string) => {
    if (from === channel) local.wake(runId);
  });
  const ready = subscriber.subscribe(channel).then(() => undefined);
  ready.catch((err: unknown) =>
    logger.warn({ err }, "Could not subscribe to the callback channel; rows are found by polling."),
  );
  return {
    ready,
    sleep: local.sleep,
    // Only through the channel, also for this process's own rows: one wake per callback, not two.
    async announce(runId) {
      await redis.publish(channel, runId);
    },
    waiting: local.waiting,
    async close() {
      await local.close();
      await subscriber.quit().catch(() => subscriber.disconnect());
    },
  };
}
