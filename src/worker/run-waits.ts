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
import { MODELS, type ModelId } from "../core/models.js";
import { callbackFallbackFor, scheduleFor, type PollSchedule } from "./poll-schedule.js";
import type { Run } from "../runflow/types.js";
import { createLatencyBook } from "./latency-book.js";
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
  /** The receiver could not listen. */
  readonly onFatal: (error: ConfigurationError) => void;
}

export interface RunWaits {
  readonly sleep: RunSleep;
  /** The poll schedule of a model's runs: the slow fallback with callbacks. */
  readonly poll: (model: ModelId) => PollSchedule;
  /** A run ended: its latency teaches the model's schedule (polling without overrides only). */
  readonly observe: (model: ModelId, run: Run) => void;
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
        observe: () => undefined,
        callbackUrl: undefined,
        close: local.close,
      };
    // No schedule given: learn one from the latencies seen (start near them, then tighten).
    const book = createLatencyBook();
    const poll = (model: ModelId) => book.schedule(model, () => typical(model));
    const observe = (model: ModelId, run: Run) => book.observe(model, run.durationMs);
    return { sleep: local.sleep, poll, observe, callbackUrl: undefined, close: local.close };
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
    observe: () => undefined,
    callbackUrl: callbacks.url,
    close: callbacks.close,
  };
}
