/**
 * A worker process's side of the queues. It serves a scope: one batch (`run`, `retry`,
 * `worker --batch ID`) or the pool of batches submitted for its own endpoint and account
 * (`worker`), which it discovers from Redis every couple of seconds (pool-discovery.ts). Each
 * batch it serves gets a lane (batch-lanes.ts, lane.ts) with its share of the concurrency. A
 * batch bound to another endpoint or account is never served: no process ever creates, polls or
 * records a run for it. Any number of these, in any number of processes and machines, share the work.
 */
import { randomBytes } from "node:crypto";
import { setMaxListeners } from "node:events";
import { hostname } from "node:os";
import type { Redis } from "ioredis";
import { WORKER_DEFAULTS, type Pauses } from "../config/defaults.js";
import type { ConfigurationError } from "../core/errors.js";
import { createBatchRecords } from "../ledger/batch-records.js";
import { bindingId, type Binding } from "../ledger/binding.js";
import { createBatchPool } from "../ledger/pool.js";
import { createBatchWaits } from "../ledger/waits.js";
import type { Logger } from "../log/logger.js";
import { QUEUE_NAMES, type Keys, type QueueName } from "../ledger/keys.js";
import type { RunflowClient } from "../runflow/types.js";
import type { StoreOpener } from "../outdir/store.js";
import { createLedger } from "../ledger/ledger.js";
import { createRowStore } from "../ledger/row-store.js";
import type { CallbackSettings } from "../callbacks/index.js";
import { createBatchFinisher, type OnBatchEnd } from "./batch-end.js";
import { createBatchInfo } from "./batch-info.js";
import { createBatchLanes } from "./batch-lanes.js";
import type { LaneShared } from "./lane.js";
import { createCreditOutage } from "./credit-outage.js";
import { startFeeding } from "./feeding.js";
import { startGiveUpWatcher } from "./give-up-watcher.js";
import type { PollSchedule } from "./poll-schedule.js";
import { startDiscovery, type WorkerScope } from "./pool-discovery.js";
import { createRowDeps } from "./row-deps.js";
import { createRowEpisodes } from "./row-episodes.js";
import { openRunWaits } from "./run-waits.js";

/** How a worker works, as the CLI's flags set it (batch/settings.ts WorkerSettings extends it). */
export interface WorkerTuning {
  readonly concurrency?: Readonly<Partial<Record<QueueName, number>>>;
  /** Overrides for every model's poll schedule (tests and the simulator use short ones). */
  readonly poll?: Partial<PollSchedule> | undefined;
  /** How long the worker pauses when Runflow says "not now" (429, 402, unreadable runs, budget holds). */
  readonly pauses?: Partial<Pauses>;
  /**
   * How long a worker's claim on a row lasts without renewal. A crashed worker's rows go to
   * another worker within about this long (and a stalled-check interval). WORKER_DEFAULTS.lockDurationMs.
   */
  readonly lockDurationMs?: number;
  /**
   * `--give-up-after`: a batch that makes no progress this long while Runflow refuses (402),
   * rate limits (429) or fails (5xx) is given up on (give-up.ts). Default: wait.
   */
  readonly giveUpAfterMs?: number | null;
  /** `--callback-url` / `--callback-listen`: this process listens for callbacks; creates send the URL. */
  readonly callback?: CallbackSettings | null | undefined;
  /** Image downloads at once in this worker (WORKER_DEFAULTS.downloadConcurrency). */
  readonly downloadConcurrency?: number;
}

export interface WorkerOptions {
  readonly redis: Redis;
  /** The endpoint and account this worker's client talks to. */
  readonly binding: Binding;
  readonly scope: WorkerScope;
  readonly keys: Keys;
  readonly runflow: RunflowClient;
  readonly logger: Logger;
  readonly settings: WorkerTuning;
  readonly now?: () => Date;
  /** Where a batch's images go, given its id and the directory stored on it (the default). */
  readonly outDirFor?: (batchId: string, stored: string) => string;
  /** Opens a batch's directory: a local path, or an S3 prefix (default: local paths only). */
  readonly stores?: StoreOpener | undefined;
  /** A configuration error (bad key): the worker stops taking jobs and reports it here. */
  readonly onFatal?: (error: ConfigurationError) => void;
  /** RUNFLOW_CALLBACK_SECRET: callbacks without its signature are refused (401). */
  readonly callbackSecret?: string | null | undefined;
  /**
   * With it, the worker owns the lifecycle of the batches it serves: when the row it records is
   * a batch's last (or the batch ends at the cap or canceled), it ends the batch once and calls
   * this (reports, notification). Without it (`run`), the command ends its batch itself.
   */
  readonly onBatchEnd?: OnBatchEnd;
}

export interface RowWorker {
  /** Stops taking jobs, hands in-flight ones back (their run ids are saved) and closes. */
  close(): Promise<void>;
}

/**
 * Our own row bookkeeping gets its own connection with auto-pipelining: thousands of rows in
 * flight share socket writes. (BullMQ keeps the shared connection; its blocking reads must not
 * sit in a pipeline.) Its trouble is the Redis outage's to report (a duplicate of a watched
 * connection is watched).
 */
function openLedgerConnection(redis: Redis, logger: Logger): Redis {
  const ledgerRedis = redis.duplicate({ enableAutoPipelining: true });
  ledgerRedis.on("error", (err) => logger.debug({ err }, "Redis connection trouble (ledger)."));
  return ledgerRedis;
}

function withDefaults(concurrency: WorkerTuning["concurrency"]): Record<QueueName, number> {
  return Object.fromEntries(
    QUEUE_NAMES.map((name) => [name, concurrency?.[name] ?? WORKER_DEFAULTS.concurrency]),
  ) as Record<QueueName, number>;
}

type LaneParts = Omit<
  LaneShared,
  "onBatchGone" | "rowStore" | "pauses" | "handBackMs" | "lockDurationMs" | "waits" | "workerName"
>;

/** What every lane of this process shares: the parts given, and the settings and stores made here. */
function laneShared(settings: WorkerTuning, ledgerRedis: Redis, parts: LaneParts) {
  const { keys, logger } = parts;
  return {
    ...parts,
    rowStore: createRowStore(ledgerRedis, keys),
    pauses: { ...WORKER_DEFAULTS.pauses, ...settings.pauses },
    handBackMs: WORKER_DEFAULTS.handBackMs,
    lockDurationMs: settings.lockDurationMs ?? WORKER_DEFAULTS.lockDurationMs,
    waits: createBatchWaits(ledgerRedis, keys, (err) =>
      logger.debug({ err }, "Could not note what the batch waits for."),
    ),
    workerName: `${hostname()}:${process.pid}:${randomBytes(3).toString("hex")}`,
  } satisfies Omit<LaneShared, "onBatchGone">;
}

export function createWorker(options: WorkerOptions): RowWorker {
  const { redis, keys, logger, settings } = options;
  const onFatal = (error: ConfigurationError) => options.onFatal?.(error);
  const ledgerRedis = openLedgerConnection(redis, logger);
  const batches = createBatchRecords(ledgerRedis, keys);
  const shutdown = new AbortController();
  setMaxListeners(0, shutdown.signal);
  // Every row waiting on its run sleeps in one place: one shutdown listener, woken by callbacks.
  const waits = openRunWaits({
    redis: ledgerRedis,
    keys,
    logger,
    signal: shutdown.signal,
    callback: settings.callback ?? undefined,
    callbackSecret: options.callbackSecret,
    poll: settings.poll,
    bindingId: bindingId(options.binding),
    onFatal,
  });
  const episodes = createRowEpisodes(logger);
  const credit = createCreditOutage(episodes.outOfCredit);
  const pool = createBatchPool(ledgerRedis, keys);
  const finisher = options.onBatchEnd
    ? createBatchFinisher({ batches, pool, logger, onBatchEnd: options.onBatchEnd })
    : null;
  const deps = createRowDeps({
    client: options.runflow,
    redis: ledgerRedis,
    keys,
    logger,
    now: options.now ?? (() => new Date()),
    waits,
    batchInfo: createBatchInfo({ batches, outDirFor: options.outDirFor, stores: options.stores }),
    finisher,
    credit,
    downloadConcurrency: settings.downloadConcurrency ?? WORKER_DEFAULTS.downloadConcurrency,
    signal: shutdown.signal,
  });
  // Every batch served is fed from its row store here (feeding.ts), whoever submitted it.
  const feeding = startFeeding({ redis, keys, ledger: createLedger(ledgerRedis, keys), logger });
  const lanes = createBatchLanes({
    batches,
    binding: options.binding,
    single: "batchId" in options.scope,
    feeding,
    concurrency: withDefaults(settings.concurrency),
    ownsLifecycle: options.onBatchEnd !== undefined,
    shared: laneShared(settings, ledgerRedis, {
      ...{ redis, keys, logger, deps, credit, episodes, finisher, onFatal },
      shuttingDown: () => shutdown.signal.aborted,
      stopReason: async (id) => (await batches.get(id))?.stopReason ?? null,
    }),
  });
  const discovery = startDiscovery({ scope: options.scope, lanes, pool, binding: options.binding, logger });
  const giveUp = settings.giveUpAfterMs
    ? startGiveUpWatcher({
        afterMs: settings.giveUpAfterMs,
        lanes: () => lanes.open(),
        batches,
        episodes,
        finisher,
        logger,
      })
    : null;

  return {
    async close() {
      shutdown.abort();
      await giveUp?.close();
      await discovery.close();
      await feeding.close();
      await lanes.close();
      await waits.close();
      episodes.close();
      await finisher?.idle(); // an end in progress writes its reports before the worker goes
      await ledgerRedis.quit().catch(() => ledgerRedis.disconnect());
    },
  };
}
