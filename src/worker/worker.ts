/**
 * A worker process's side of the queues. It serves a scope: one batch (`run`, `retry`,
 * `worker --batch ID`) or the pool of batches submitted for its own endpoint and account
 * (`worker`), which it discovers from Redis every couple of seconds. Each batch it serves gets a
 * lane (lane.ts) with its share of the concurrency. A batch bound to another endpoint or account
 * is never served: no process ever creates, polls or records a run for it.
 * Any number of these, in any number of processes and machines, share the work.
 */
import { randomBytes } from "node:crypto";
import { setMaxListeners } from "node:events";
import { hostname } from "node:os";
import type { Redis } from "ioredis";
import pLimit from "p-limit";
import { WORKER_DEFAULTS, type Pauses } from "../config/defaults.js";
import { BatchGoneError, ConfigurationError } from "../core/errors.js";
import { formatUsd } from "../core/money.js";
import { createBatchRecords } from "../ledger/batch-records.js";
import { bindingId, describeBinding, sameBinding, type Binding } from "../ledger/binding.js";
import { createBatchPool } from "../ledger/pool.js";
import { createCreateBodies } from "../ledger/create-bodies.js";
import { createRowLedger } from "../ledger/row-ledger.js";
import { createBatchWaits } from "../ledger/waits.js";
import type { Logger } from "../log/logger.js";
import { QUEUE_NAMES, type Keys, type QueueName } from "../ledger/keys.js";
import { isRedisFault } from "../redis/faults.js";
import type { RunflowClient } from "../runflow/types.js";
import { createBatchFinisher, type OnBatchEnd } from "./batch-end.js";
import { createCreditOutage } from "./credit-outage.js";
import { openLane, type Lane, type LaneShared } from "./lane.js";
import type { PollSchedule } from "./poll-schedule.js";
import { createGiveUpWatch } from "./give-up.js";
import { createRowEpisodes, type RowEpisodes } from "./row-episodes.js";
import type { BatchInfo, RowDeps } from "./row-types.js";
import { openRunWaits } from "./run-waits.js";
import { createImageDirs } from "./outputs.js";
import type { StoreOpener } from "../outdir/store.js";
import { asStore } from "../outdir/stores.js";
import { startFeeding } from "./feeding.js";
import { createLedger } from "../ledger/ledger.js";
import { createRowStore } from "../ledger/row-store.js";
import type { CallbackSettings } from "../callbacks/index.js";

/** One batch, or every batch submitted for the worker's own binding. */
type WorkerScope = { readonly batchId: string } | { readonly pool: true };

export interface WorkerOptions {
  readonly redis: Redis;
  /** The endpoint and account this worker's client talks to. */
  readonly binding: Binding;
  readonly scope: WorkerScope;
  readonly keys: Keys;
  readonly runflow: RunflowClient;
  readonly logger: Logger;
  readonly now?: () => Date;
  readonly concurrency?: Partial<Record<QueueName, number>>;
  /** Overrides for every model's poll schedule (tests and the simulator use short ones). */
  readonly poll?: Partial<PollSchedule>;
  /** How long the worker pauses when Runflow says "not now" (429, 402, unreadable runs, budget holds). */
  readonly pauses?: Partial<Pauses>;
  /** Where a batch's images go, given its id and the directory stored on it (the default). */
  readonly outDirFor?: (batchId: string, stored: string) => string;
  /** Opens a batch's directory: a local path, or an S3 prefix (default: local paths only). */
  readonly stores?: StoreOpener;
  /** Image downloads at once in this worker (WORKER_DEFAULTS.downloadConcurrency). */
  readonly downloadConcurrency?: number;
  /**
   * How long a worker's claim on a row lasts without renewal. A crashed worker's rows go to
   * another worker within about this long (and a stalled-check interval). WORKER_DEFAULTS.lockDurationMs.
   */
  readonly lockDurationMs?: number;
  /** A configuration error (bad key): the worker stops taking jobs and reports it here. */
  readonly onFatal?: (error: ConfigurationError) => void;
  /** `--callback-url` / `--callback-listen`: this process listens for callbacks; creates send the URL. */
  readonly callback?: CallbackSettings | undefined;
  /** RUNFLOW_CALLBACK_SECRET: callbacks without its signature are refused (401). */
  readonly callbackSecret?: string | null | undefined;
  /**
   * With it, the worker owns the lifecycle of the batches it serves: when the row it records is
   * a batch's last (or the batch ends at the cap or canceled), it ends the batch once and calls
   * this (reports, notification). Without it (`run`), the command ends its batch itself.
   */
  readonly onBatchEnd?: OnBatchEnd;
  /**
   * `--give-up-after`: a batch that makes no progress this long while Runflow refuses (402),
   * rate limits (429) or fails (5xx) is given up on (give-up.ts). Default: wait.
   */
  readonly giveUpAfterMs?: number | null;
}

export interface RowWorker {
  /** Stops taking jobs, hands in-flight ones back (their run ids are saved) and closes. */
  close(): Promise<void>;
}

/** Each lane's share of the process's concurrency: all of it with one batch, split evenly with several. */
function shareOf(total: Readonly<Record<QueueName, number>>, lanes: number): Record<QueueName, number> {
  const n = Math.max(1, lanes);
  return {
    generate: Math.max(1, Math.floor(total.generate / n)),
    edit: Math.max(1, Math.floor(total.edit / n)),
  };
}

export function createWorker(options: WorkerOptions): RowWorker {
  const { redis, keys, logger } = options;
  // Our own row bookkeeping gets its own connection with auto-pipelining: thousands of rows in
  // flight share socket writes. (BullMQ keeps the shared connection; its blocking reads must not
  // sit in a pipeline.)
  // Its trouble is the Redis outage's to report (a duplicate of a watched connection is watched).
  const ledgerRedis = redis.duplicate({ enableAutoPipelining: true });
  ledgerRedis.on("error", (err) => logger.debug({ err }, "Redis connection trouble (ledger)."));
  const batches = createBatchRecords(ledgerRedis, keys);
  const shutdown = new AbortController();
  setMaxListeners(0, shutdown.signal);
  // Every row waiting on its run sleeps in one place: one shutdown listener, woken by callbacks.
  const waits = openRunWaits({
    redis: ledgerRedis,
    keys,
    logger,
    signal: shutdown.signal,
    callback: options.callback,
    callbackSecret: options.callbackSecret,
    poll: options.poll,
    bindingId: bindingId(options.binding),
    onFatal: (error) => options.onFatal?.(error),
  });
  const pauses: Pauses = { ...WORKER_DEFAULTS.pauses, ...options.pauses };
  const batchCache = new Map<string, Promise<BatchInfo>>();
  const batchInfo = (id: string): Promise<BatchInfo> => {
    let info = batchCache.get(id);
    if (!info) {
      info = batches.get(id).then((record) => {
        if (!record) throw new BatchGoneError(id, null);
        const { out, prices } = record.submission;
        const outDir = options.outDirFor?.(id, out) ?? out;
        return { outDir, store: options.stores?.open(outDir) ?? asStore(outDir), prices };
      });
      info.catch(() => batchCache.delete(id));
      batchCache.set(id, info);
    }
    return info;
  };
  const episodes = createRowEpisodes(logger);
  const credit = createCreditOutage(episodes.outOfCredit);
  const pool = createBatchPool(ledgerRedis, keys);
  const finisher = options.onBatchEnd
    ? createBatchFinisher({ batches, pool, logger, onBatchEnd: options.onBatchEnd })
    : null;
  const rowLedger = createRowLedger(ledgerRedis, keys);
  // Every batch served is fed from its row store here (feeding.ts), whoever submitted it.
  const feeding = startFeeding({ redis, keys, ledger: createLedger(ledgerRedis, keys), logger });
  const deps: RowDeps = {
    client: options.runflow,
    rows: {
      ...rowLedger,
      // Whoever records a batch's last row ends the batch.
      async record(batchId, result) {
        const recorded = await rowLedger.record(batchId, result);
        if (recorded) void finisher?.check(batchId);
        return recorded;
      },
    },
    batchInfo,
    logger,
    now: options.now ?? (() => new Date()),
    poll: waits.poll,
    sleep: waits.sleep,
    onRunEnded: waits.observe,
    imageDirs: createImageDirs(),
    ...(waits.callbackUrl === undefined ? {} : { callbackUrl: waits.callbackUrl }),
    maxConsecutivePollErrors: WORKER_DEFAULTS.maxConsecutivePollErrors,
    downloads: pLimit(options.downloadConcurrency ?? WORKER_DEFAULTS.downloadConcurrency),
    signal: shutdown.signal,
    onRunCreated: () => credit.accepted(),
    createBodies: createCreateBodies(ledgerRedis, keys),
  };
  const shared: LaneShared = {
    redis,
    keys,
    logger,
    deps,
    rowStore: createRowStore(ledgerRedis, keys),
    pauses,
    handBackMs: WORKER_DEFAULTS.handBackMs,
    lockDurationMs: options.lockDurationMs ?? WORKER_DEFAULTS.lockDurationMs,
    credit,
    episodes,
    finisher,
    shuttingDown: () => shutdown.signal.aborted,
    onFatal: (error) => options.onFatal?.(error),
    waits: createBatchWaits(ledgerRedis, keys, (err) =>
      logger.debug({ err }, "Could not note what the batch waits for."),
    ),
    workerName: `${hostname()}:${process.pid}:${randomBytes(3).toString("hex")}`,
    stopReason: async (id) => (await batches.get(id))?.stopReason ?? null,
    onBatchGone: (error) => {
      // Serving one batch: nothing left to do. Serving the pool: say it once and let the others go on.
      if ("batchId" in options.scope) options.onFatal?.(error);
      else if (!gone.has(error.batchId)) {
        gone.add(error.batchId);
        logger.error({ batch: error.batchId }, error.message);
        const lane = lanes.get(error.batchId);
        lanes.delete(error.batchId);
        void feeding.remove(error.batchId);
        void lane?.close();
      }
    },
  };
  const total: Record<QueueName, number> = Object.fromEntries(
    QUEUE_NAMES.map((name) => [name, options.concurrency?.[name] ?? WORKER_DEFAULTS.concurrency]),
  ) as Record<QueueName, number>;

  const lanes = new Map<string, Lane>();
  const gone = new Set<string>();
  const refused = new Set<string>();
  /** Opens a lane for the batch when it is bound to this worker's endpoint and account. */
  async function serve(batchId: string): Promise<void> {
    if (lanes.has(batchId) || refused.has(batchId) || gone.has(batchId) || shutdown.signal.aborted) return;
    const record = await batches.get(batchId);
    if (!record && "batchId" in options.scope) {
      options.onFatal?.(new BatchGoneError(batchId, null));
      return;
    }
    // Closing while the record was read: a lane opened now would only be closed half-started.
    if (!record || shutdown.signal.aborted) return;
    const bound = record.submission.binding;
    if (!sameBinding(bound, options.binding)) {
      refused.add(batchId);
      const message =
        `batch ${batchId} was made for ${describeBinding(bound)}; this worker talks to ${describeBinding(options.binding)}, ` +
        `so it leaves the batch alone. Start the worker with the batch's RUNFLOW_BASE_URL and RUNFLOW_API_KEY.`;
      if ("batchId" in options.scope) options.onFatal?.(new ConfigurationError(message));
      else logger.warn({ batch: batchId }, message);
      return;
    }
    lanes.set(batchId, openLane(batchId, shareOf(total, lanes.size + 1), shared));
    await feeding.add(batchId);
    for (const lane of lanes.values()) lane.setConcurrency(shareOf(total, lanes.size));
    logger.info({ batch: batchId, rows: record.submission.rows }, `Serving batch ${batchId}.`);
    if (options.onBatchEnd && (await batches.start(batchId))) {
      logger.info(
        { batch: batchId, rows: record.submission.rows },
        `Batch ${batchId} started: ${record.submission.rows} rows, ` +
          `estimated $${formatUsd(record.submission.estimate.micros)}.`,
      );
    }
    // A batch that ended while no worker looked (its last row recorded by a worker that died
    // before ending it).
    if (finisher) void finisher.check(batchId);
  }

  /** Pool scope: serve every batch submitted for this binding; close lanes of batches no longer listed. */
  async function discover(): Promise<void> {
    const listed = new Set(await pool.members(options.binding));
    for (const id of listed) await serve(id);
    for (const [id, lane] of lanes) {
      if (listed.has(id)) continue;
      lanes.delete(id);
      await feeding.remove(id);
      await lane.close();
      for (const other of lanes.values()) other.setConcurrency(shareOf(total, lanes.size));
    }
  }

  let discovery: NodeJS.Timeout | null = null;
  let discovering: Promise<void> = Promise.resolve();
  const scope = options.scope;
  if ("batchId" in scope) discovering = serve(scope.batchId);
  else {
    const tick = () => {
      discovering = discovering.then(discover).catch((err: unknown) =>
        // Redis failing is the Redis outage's to report (redis/connection.ts), once.
        isRedisFault(err)
          ? logger.debug({ err }, "Could not look for batches to serve (Redis failed).")
          : logger.warn({ err }, "Could not look for batches to serve; trying again shortly."),
      );
    };
    tick();
    discovery = setInterval(tick, WORKER_DEFAULTS.discoverMs);
    discovery.unref();
  }
  discovering.catch((err: unknown) =>
    isRedisFault(err)
      ? logger.debug({ err }, "Could not open the batch's queues (Redis failed).")
      : logger.warn({ err }, "Could not open the batch's queues."),
  );

  const giveUp = options.giveUpAfterMs ? createGiveUpWatch(options.giveUpAfterMs) : null;
  /** Every second: has a batch gone without progress for too long because Runflow refuses? */
  async function watchProgress(): Promise<void> {
    if (!giveUp) return;
    for (const [id, lane] of lanes) {
      const record = await batches.get(id);
      if (!record || record.endedAt !== null) continue;
      // Once given up, waiting on its runs in flight counts as blocked too.
      const blocked = record.stopReason ?? blockedBy(episodes);
      const reason = giveUp.observe(id, record.succeeded + record.failed, Date.now(), blocked);
      if (reason === null) continue;
      if (record.stopReason !== null) {
        // Given up, and its runs in flight still did not end in as long again: end it without them.
        const end = { state: "failed-rows" as const, reason: record.stopReason };
        if (finisher) await finisher.end(id, end);
        else await batches.finish(id, end.state, end.reason);
        continue;
      }
      logger.warn({ batch: id }, `Giving up on batch ${id}: ${reason}. Its rows that never ran end failed.`);
      await batches.giveUp(id, reason);
      await lane.wake(); // the waiting rows come up now, are refused, and are recorded failed
      void finisher?.check(id);
    }
  }
  let watching: Promise<void> = Promise.resolve();
  const watcher = giveUp
    ? setInterval(() => {
        watching = watching
          .then(watchProgress)
          .catch((err: unknown) => logger.debug({ err }, "Could not check the batches' progress."));
      }, 1_000)
    : null;
  watcher?.unref();

  return {
    async close() {
      shutdown.abort();
      if (watcher) clearInterval(watcher);
      await watching;
      if (discovery) clearInterval(discovery);
      await discovering.catch(() => undefined);
      await feeding.close();
      await Promise.all([...lanes.values()].map((lane) => lane.close()));
      lanes.clear();
      await waits.close();
      episodes.close();
      await finisher?.idle(); // an end in progress writes its reports before the worker goes
      await ledgerRedis.quit().catch(() => ledgerRedis.disconnect());
    },
  };
}

/** What holds the worker up that Runflow refuses, for `--give-up-after`; null when nothing does. */
function blockedBy(episodes: RowEpisodes): string | null {
  if (episodes.outOfCredit.ongoing)
    return "the Runflow account is out of credit (402): top it up and run again";
  if (episodes.rateLimited.ongoing) return "Runflow kept rate limiting the requests (429)";
  if (episodes.transient.ongoing)
    return "Runflow kept answering with server errors (5xx) or could not be reached";
  return null;
}
