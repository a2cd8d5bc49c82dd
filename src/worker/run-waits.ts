/**
 * How a worker's rows wait on their runs: every sleep goes through one wakeups object (one
 * shutdown listener for all rows). With `--callback-url`, the process also listens for
 * callbacks and hears those any process received (callbacks/), and creates send the URL.
 */
import type { Redis } from "ioredis";
import { openCallbacks, createLocalWakeups, type CallbackSettings } from "../callbacks/index.js";
import { ConfigurationError } from "../core/errors.js";
import type { Logger } from "../log/logger.js";
import type { Keys } from "../ledger/keys.js";
import { MODEL_IDS, MODELS, type ModelId } from "../core/models.js";
import { callbackFallbackFor, scheduleFor, type PollSchedule } from "./poll-schedule.js";
import { createLatencyBook, type LatencyBook } from "./latency-book.js";
import { createLatencyStore } from "./latency-store.js";
import type { RunSleep } from "./wait-for-run.js";

export interface RunWaitsOptions {
  readonly redis: Redis;
  readonly keys: Keys;
  readonly logger: Logger;
  readonly signal: AbortSignal;
  readonly callback?: CallbackSettings | undefined;
  /** RUNFLOW_CALLBACK_SECRET */
  readonly callbackSecret?: string | null | undefined;
  /** Overrides for every model's poll schedule (--poll-interval, tests, rehearsals). */
  readonly poll?: Partial<PollSchedule> | undefined;
  /** The binding the worker serves: learned latencies are kept in Redis under it (keys.latencies). */
  readonly bindingId?: string | undefined;
  /** The receiver could not listen. */
  readonly onFatal: (error: ConfigurationError) => void;
}

export interface RunWaits {
  readonly sleep: RunSleep;
  /** The poll schedule of a model's runs: the slow fallback with callbacks. */
  readonly poll: (model: ModelId) => PollSchedule;
  /** Sent with every create; undefined without callbacks. */
  readonly callbackUrl: string | undefined;
  close(): Promise<void>;
}

export function openRunWaits(options: RunWaitsOptions): RunWaits {
  const { callback } = options;
  const overrides = options.poll ?? {};
  if (!callback) {
    const local = createLocalWakeups(options.signal);
    const typical = (model: ModelId) => scheduleFor(MODELS[model].typicalDurationMs, overrides);
    if (options.poll !== undefined)
      return {
        sleep: local.sleep,
        poll: typical,
        callbackUrl: undefined,
        close: local.close,
      };
    // No schedule given: learn one from what the runs show (latency-book.ts), kept in Redis per
    // binding and model when the binding is known, so later batches start from it.
    const book = createLatencyBook();
    const sync = options.bindingId === undefined ? null : syncLatencies(book, options, options.bindingId);
    return {
      sleep: local.sleep,
      poll: (model) => book.schedule(model),
      // Runs teach the book as they wait (the schedule's track()); nothing more to do at the end.
      callbackUrl: undefined,
      async close() {
        await sync?.close();
        await local.close();
      },
    };
  }
  const callbacks = openCallbacks({
    settings: callback,
    redis: options.redis,
    channel: options.keys.callbacks,
    secret: options.callbackSecret ?? null,
    logger: options.logger,
    signal: options.signal,
  });
  callbacks.ready.catch((error: unknown) =>
    options.onFatal(
      error instanceof ConfigurationError ? error : new ConfigurationError(String(error), { cause: error }),
    ),
  );
  const poll = (model: ModelId) => callbackFallbackFor(MODELS[model].typicalDurationMs, overrides);
  return {
    sleep: callbacks.wakeups.sleep,
    poll,
    callbackUrl: callbacks.url,
    close: callbacks.close,
  };
}

/** How often a process hands the latencies it saw to Redis and takes every process's back. */
const SYNC_EVERY_MS = 2_000;

/** Loads the stored latencies of every model now, then exchanges them with Redis every couple of seconds. */
function syncLatencies(book: LatencyBook, options: RunWaitsOptions, bindingId: string) {
  const store = createLatencyStore(options.redis, (model) => options.keys.latencies(bindingId, model));
  const trouble = (err: unknown) =>
    options.logger.debug({ err }, "Could not exchange learned latencies with Redis; polling goes on.");
  void store
    .load(MODEL_IDS)
    .then((stored) => {
      for (const [model, samples] of stored) book.absorb(model, samples);
    })
    .catch(trouble);
  let running: Promise<void> = Promise.resolve();
  const flush = () =>
    (running = running.then(async () => {
      const taken = book.drain();
      for (const [model, samples] of taken) {
        try {
          book.absorb(model, await store.exchange(model, samples));
        } catch (err) {
          book.restore(new Map([[model, samples]]));
          trouble(err);
        }
      }
    }));
  const timer = setInterval(() => void flush(), SYNC_EVERY_MS);
  timer.unref();
  return {
    async close() {
      clearInterval(timer);
      await flush();
    },
  };
}
