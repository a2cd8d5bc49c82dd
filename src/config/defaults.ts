/**
 * The defaults the tool runs with, each with its unit, in one place. Flags and the environment
 * override them (config.ts); code never repeats a number that is here. Pure data.
 */

/** Pauses the worker takes when Runflow says "not now". None of them costs a row an attempt. */
export interface Pauses {
  /**
   * 429 without Retry-After: how long the whole queue slows down, in ms.
   * @default 5_000
   */
  readonly rateLimitMs: number;
  /**
   * 402 (out of credit): how long submitting pauses before trying again, in ms (`--credit-pause`).
   * @default 30_000
   */
  readonly outOfCreditMs: number;
  /**
   * A run exists but Runflow cannot be read: how long before looking at it again, in ms
   * (`--poll-interval` when given).
   * @default 15_000
   */
  readonly unreadableRunMs: number;
  /**
   * A row held by the budget cap: how long before it looks again, in ms. Raising the cap
   * (`budget`) promotes held rows at once.
   * @default 60_000
   */
  readonly budgetHoldMs: number;
  /**
   * A configuration error (bad key, no permission): how long the queue is held while the worker
   * stops, in ms.
   * @default 60_000
   */
  readonly misconfiguredMs: number;
  /**
   * This machine cannot write a row's images (directory gone, no permission, disk full): how long
   * the row waits (keeping its run) and submitting pauses before trying again, in ms.
   * @default 30_000
   */
  readonly localWriteMs: number;
}

export interface WorkerDefaults {
  /**
   * Rows in flight at once per queue (generations, edits) when the caller does not say.
   * @default 50
   */
  readonly concurrency: number;
  /**
   * Image downloads at once per worker process, shared by all its rows.
   * @default 128
   */
  readonly downloadConcurrency: number;
  /**
   * Consecutive failed reads of one run before waiting on it gives up and the error policy decides.
   * @default 8
   */
  readonly maxConsecutivePollErrors: number;
  /**
   * How long a worker's claim on a row lasts without renewal, in ms; also how often BullMQ looks
   * for stalled rows. A crashed worker's rows go to another worker within about twice this.
   * @default 30_000
   */
  readonly lockDurationMs: number;
  /**
   * When acting on a row's error fails (Redis gone for a moment), the row is handed back this
   * long later, in ms.
   * @default 5_000
   */
  readonly handBackMs: number;
  /**
   * How often a pool worker (`worker` without --batch) looks for batches submitted for its
   * endpoint and account, in ms.
   * @default 2_000
   */
  readonly discoverMs: number;
  readonly pauses: Pauses;
}

export const WORKER_DEFAULTS: WorkerDefaults = {
  concurrency: 50,
  downloadConcurrency: 128,
  maxConsecutivePollErrors: 8,
  lockDurationMs: 30_000,
  handBackMs: 5_000,
  discoverMs: 2_000,
  pauses: {
    rateLimitMs: 5_000,
    outOfCreditMs: 30_000,
    unreadableRunMs: 15_000,
    budgetHoldMs: 60_000,
    misconfiguredMs: 60_000,
    localWriteMs: 30_000,
  },
};

/** Queueing a batch's rows (queue/feeder.ts): how many wait in Redis ahead of the workers. */
export const FEED_DEFAULTS = {
  /**
   * Rows kept waiting in a batch's queues (`--max-queued`); `run` keeps at least twice its
   * concurrency waiting. The rest stay in the row store until workers drain the queue.
   * @default 2_000
   */
  window: 2_000,
  /** How often a process serving a batch tops its queues up, in ms. @default 250 */
  tickMs: 250,
} as const;

/** How long a command waits for what it depends on before it gives up (exit 4). */
export interface PatienceDefaults {
  /**
   * Redis unreachable once connected: how long work pauses (reconnecting with backoff) before
   * the command exits 4, in ms (`--redis-timeout`, RUNFLOW_BATCH_REDIS_TIMEOUT).
   * @default 60_000
   */
  readonly redisTimeoutMs: number;
  /**
   * Start-up checks (the balance check): how long transient answers and 429s are retried before
   * the command exits 4, in ms (`--start-timeout`).
   * @default 120_000
   */
  readonly startTimeoutMs: number;
}

export const PATIENCE_DEFAULTS: PatienceDefaults = {
  redisTimeoutMs: 60_000,
  startTimeoutMs: 120_000,
};

/** Notifications (`--notify-url`): a POST when a batch ends. */
export interface NotifyDefaults {
  /**
   * Tries per notification (the first and the retries), with exponential backoff between them.
   * @default 6
   */
  readonly attempts: number;
  /**
   * Wait before the first retry, in ms; later ones double.
   * @default 1_000
   */
  readonly backoffMs: number;
  /**
   * How long one POST may take, in ms.
   * @default 10_000
   */
  readonly timeoutMs: number;
}

export const NOTIFY_DEFAULTS: NotifyDefaults = { attempts: 6, backoffMs: 1_000, timeoutMs: 10_000 };

/** Fetching a feed or manifest given as a URL (feed/fetch.ts). */
export const FEED_FETCH_DEFAULTS = {
  /** How long one try may take, to the end of the body, in ms. @default 120_000 */
  timeoutMs: 120_000,
  /** Largest body read; past it reading stops (exit 2), in bytes. @default 2 GiB */
  maxBytes: 2 * 1024 ** 3,
  /** Tries in all on a network error or an answer the retry policy retries (408, 429, 5xx). @default 4 */
  attempts: 4,
  /** Wait before the first retry, in ms; later ones double, with jitter (runflow/retry-policy.ts). @default 2_000 */
  backoffMs: 2_000,
} as const;

/** The Runflow client's bounds (runflow/client.ts), per request. */
export const CLIENT_DEFAULTS = {
  /** Time to an answer's headers, and the longest silence in its body, in ms. @default 30_000 */
  timeoutMs: 30_000,
  /** Sockets per origin (the API, and each output host). @default 64 */
  connections: 64,
  /** Largest output image accepted, in bytes. @default 50 MiB */
  maxDownloadBytes: 50 * 1024 * 1024,
} as const;

/** How long the tool waits on this machine before it says so. */
export const LOCAL_DEFAULTS = {
  /**
   * A command asked to stop (SIGINT, SIGTERM) with nothing paid in flight is ended when it has not
   * stopped within this, in ms (cli/main.ts). @default 5_000
   */
  stopGraceMs: 5_000,
  /**
   * The write probe of the output directory or S3 prefix: past this it is said not to answer
   * (exit 2), in ms (outdir/probe.ts, outdir/s3-probe.ts). @default 10_000
   */
  probeTimeoutMs: 10_000,
} as const;

/** Where the tool connects when neither a flag nor the environment says (config.ts). */
export const CONNECTION_DEFAULTS = {
  /** RUNFLOW_BASE_URL. @default "https://api.runflow.io" */
  runflowBaseUrl: "https://api.runflow.io",
  /**
   * REDIS_URL; with it unset and nothing answering here, a managed local Redis starts.
   * @default "redis://127.0.0.1:6379"
   */
  redisUrl: "redis://127.0.0.1:6379",
  /** RUNFLOW_BATCH_PREFIX: the hash tag of every Redis key. @default "rfb" */
  redisPrefix: "rfb",
  /** LOG_LEVEL. @default "info" */
  logLevel: "info",
} as const;

/** Rows in flight at once per queue when `--concurrency` is not given, by command. */
export const CONCURRENCY_DEFAULTS = {
  /** `run` and `retry`: one batch in one process. @default 100 */
  run: 100,
  /** `worker` (and `serve`): every batch of its endpoint and account. @default 200 */
  worker: 200,
} as const;

/** A row's tries on transient errors (5xx, network), as BullMQ attempts. */
export const ROW_RETRY_DEFAULTS = {
  /** Tries per row before it is recorded as failed (`--attempts`). @default 5 */
  attempts: 5,
  /** First backoff in ms; later ones double, with jitter (`--retry-backoff`). @default 2_000 */
  backoffMs: 2_000,
} as const;

/** How runs are polled when no callback arrives (worker/poll-schedule.ts). */
export const POLL_DEFAULTS = {
  /** The first poll waits this share of the model's typical duration. @default 0.75 */
  firstPollShare: 0.75,
  /** Then this long between polls, in ms … @default 2_000 */
  intervalMs: 2_000,
  /** … growing by this factor … @default 1.5 */
  factor: 1.5,
  /** … to at most this, in ms. @default 10_000 */
  maxMs: 10_000,
  /** ± this share of random spread on each wait. @default 0.2 */
  jitter: 0.2,
} as const;
