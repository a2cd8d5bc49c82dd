/**
 * What the commands are told to do, already parsed and checked: the CLI turns flags into these
 * (src/cli/flags/), the commands take them. Commands never see raw flag text.
 */
import type { Pauses } from "../config/defaults.js";
import type { ManifestSource } from "../manifest/source.js";
import type { PriceTable } from "../pricing/table.js";
import type { RetryOptions } from "../queue/retry-options.js";
import type { QueueName } from "../ledger/keys.js";
import type { PollSchedule } from "../worker/poll-schedule.js";
import type { WorkerTuning } from "../worker/worker.js";
import type { RowSource } from "./open/manifest-pass.js";

/** How to read a manifest and price it (`estimate`, `submit`, `run`). */
export interface ManifestSettings {
  readonly source: ManifestSource;
  readonly prices: PriceTable;
  readonly skipInvalid: boolean;
}

/** How long a command waits for Redis once connected (`--redis-timeout`), in ms; default config's. */
export interface RedisPatience {
  readonly redisTimeoutMs?: number | undefined;
}

/** A batch's identity, cap and retry budget (`submit`, `run`). */
export interface BatchSettings extends ManifestSettings, RedisPatience {
  readonly batchId: string | undefined;
  readonly capMicros: number | null;
  readonly force: boolean;
  readonly retry: RetryOptions;
  /** Rows kept waiting in the queues ahead of the workers (`--max-queued`); default FEED_DEFAULTS.window. */
  readonly queueWindow?: number | undefined;
  /** How long the start-up checks retry transient answers (`--start-timeout`), in ms. */
  readonly startTimeoutMs?: number;
  /** POSTed a JSON summary when the batch ends (`--notify-url`); stored on the batch. */
  readonly notifyUrl?: string | null;
  /** Rows from elsewhere than `source`'s file (promote: a draft's picks); `source` names them. */
  readonly rows?: RowSource | undefined;
}

/** The in-process worker (`worker`, `run`): how it works, and the process around it. */
export interface WorkerSettings extends WorkerTuning {
  readonly concurrency: Readonly<Record<QueueName, number>>;
  readonly poll: Partial<PollSchedule> | undefined;
  /** How long the worker pauses when Runflow says "not now" (the row's `retry` is BullMQ's attempts). */
  readonly pauses: Pauses;
  readonly lockDurationMs: number;
  /** `--max-rps`: one request rate for every process on the account; null: RUNFLOW_MAX_RPS, else adaptive. */
  readonly maxRps?: number | null;
  readonly redisTimeoutMs?: number | undefined;
}
