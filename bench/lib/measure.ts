/**
 * One measurement, run in a fresh Node process by bench/pipeline.ts (children.ts):
 *   node --import tsx bench/lib/measure.ts '<MeasureSpec as JSON>'
 * prints its MeasureResult as JSON on the last stdout line. Peak RSS is this process's own:
 * process.resourceUsage().maxRSS, plus process.memoryUsage().rss sampled every 250 ms.
 *
 * - "bullmq-noop": the floor. Queue.addBulk in chunks of 500 + one Worker of the same concurrency
 *   whose processor returns at once; timed from the first add to the last "completed" event.
 * - "pipeline": the `run` command's engine wired as src/commands/run.ts wires it (openBatch = validation
 *   pass + batch record + pre-flight, then runBatch: producer with backpressure + in-process
 *   worker), against a simulator in another process; timed until every row is recorded and its
 *   image is on disk. The Runflow client is wrapped to count requests and time each run.
 */
import { readdir } from "node:fs/promises";
import path from "node:path";
import { Queue, Worker } from "bullmq";
import type { BatchSettings } from "../../src/batch/settings.js";
import { openBatch } from "../../src/batch/open/open-batch.js";
import { bindingFor } from "../../src/ledger/binding.js";
import { silentLogger } from "../../src/log/logger.js";
import { runBatch } from "../../src/batch/run/run-batch.js";
import { BUILT_IN_PRICES } from "../../src/pricing/table.js";
import { createLedger } from "../../src/ledger/ledger.js";
import { DEFAULT_RETRY_OPTIONS } from "../../src/queue/retry-options.js";
import { createRunflowClient } from "../../src/runflow/client.js";
import type { RunflowClient } from "../../src/runflow/types.js";
import type { PollSchedule } from "../../src/worker/poll-schedule.js";
import { createAdaptiveLimiter } from "../../src/ratelimit/adaptive-limiter.js";
import { createKnownRateStore } from "../../src/ratelimit/known-rate.js";
import { withRateLimit } from "../../src/ratelimit/limited-client.js";
import { createSharedLimiter } from "../../src/ratelimit/shared-limiter.js";
import { classifyError } from "../../src/runflow/errors.js";
import { benchRedis } from "./bench-redis.js";

/** Keys deleted by the clean-up (SCAN + UNLINK of the scenario's prefix). */
let keysRemoved = 0;

export type MeasureSpec =
  | { readonly kind: "bullmq-noop"; readonly jobs: number; readonly concurrency: number }
  | {
      readonly kind: "pipeline";
      readonly manifest: string;
      readonly outDir: string;
      readonly rows: number;
      readonly simUrl: string;
      readonly concurrency: number;
      /** null: the worker's own choice (learned from latencies; the slow fallback with callbacks). */
      readonly poll: Partial<PollSchedule> | null;
      /** Client-side request limiter: none (as before issue 12), the adaptive one, or --max-rps through Redis. */
      readonly limiter?:
        | { readonly kind: "none" }
        | { readonly kind: "adaptive"; readonly remember?: boolean }
        | { readonly kind: "shared"; readonly maxRps: number };
      /** Listen for the simulator's callbacks on this port (creates send http://127.0.0.1:PORT/cb). */
      readonly callbackPort?: number;
      /** Run on this Redis prefix and leave its keys (what an earlier batch there learned is used). */
      readonly keepPrefix?: string;
      /** Report when each run's first terminal GET was answered (Date.now), by run id. */
      readonly terminalTimes?: boolean;
    };

interface Percentiles {
  readonly p50: number;
  readonly p95: number;
  readonly max: number;
}

interface ProcessUsage {
  /** process.resourceUsage().maxRSS at the end, in KB. */
  readonly maxRssKb: number;
  /** Highest process.memoryUsage().rss seen by the 250 ms sampler, in bytes. */
  readonly sampledPeakRss: number;
  readonly samples: number;
  readonly keysRemoved: number;
  /** User + system CPU of this process during the measurement (imports excluded), in seconds. */
  readonly cpuSeconds: number;
}

interface NoopResult extends ProcessUsage {
  readonly kind: "bullmq-noop";
  readonly jobs: number;
  readonly seconds: number;
}

export interface PipelineResult extends ProcessUsage {
  readonly kind: "pipeline";
  readonly outcome: string;
  readonly rows: number;
  readonly succeeded: number;
  readonly failed: number;
  readonly files: number;
  /** openBatch: validation pass, batch record, balance pre-flight. */
  readonly prepareSeconds: number;
  /** runBatch, start to return (includes its end-of-batch detection tick and closing the worker). */
  readonly runSeconds: number;
  /** From runBatch's start to the last row's `finished_at`. */
  readonly lastRecordedSeconds: number;
  /** From runBatch's start: first create answered, last create sent, last create answered, last terminal GET answered, last download written. */
  readonly firstCreateSeconds: number;
  readonly lastCreateSentSeconds: number;
  readonly lastCreateSeconds: number;
  readonly lastTerminalGetSeconds: number;
  readonly lastDownloadSeconds: number;
  readonly creates: number;
  readonly gets: number;
  readonly downloads: number;
  /** Per run, in ms: create sent → answered; create answered → terminal GET answered; one image downloaded and renamed into place. */
  readonly createMs: Percentiles;
  readonly waitMs: Percentiles;
  readonly downloadMs: Percentiles;
  /** Per run, run ended at Runflow (created_at + duration_ms) → its terminal GET answered, in ms. */
  readonly lagMs: Percentiles & { readonly mean: number };
  /** Mean of the runs' duration_ms. */
  readonly meanLatencyMs: number;
  /** 429 answers the client got (creates and GETs). */
  readonly rateLimited: number;
  /** With spec.terminalTimes: run id → when its first terminal GET was answered (epoch ms). */
  readonly terminalAtMs?: Record<string, number>;
}

export type MeasureResult<S extends MeasureSpec> = S extends { kind: "bullmq-noop" }
  ? NoopResult
  : PipelineResult;

function sampleRss(): { peak: () => number; count: () => number; stop: () => void } {
  let peak = process.memoryUsage().rss;
  let count = 1;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
    count += 1;
  }, 250);
  return { peak: () => peak, count: () => count, stop: () => clearInterval(timer) };
}

async function bullmqNoop(
  spec: Extract<MeasureSpec, { kind: "bullmq-noop" }>,
): Promise<Omit<NoopResult, keyof ProcessUsage>> {
  const bench = await benchRedis("noop");
  try {
    const options = { connection: bench.redis, prefix: bench.keys.bullPrefix };
    const queue = new Queue("noop", options);
    let completed = 0;
    let allDone = (): void => undefined;
    const done = new Promise<void>((resolve) => (allDone = resolve));
    const worker = new Worker("noop", async () => undefined, { ...options, concurrency: spec.concurrency });
    worker.on("completed", () => void (++completed === spec.jobs && allDone()));
    await worker.waitUntilReady();
    const started = performance.now();
    for (let first = 0; first < spec.jobs; first += 500) {
      const size = Math.min(500, spec.jobs - first);
      await queue.addBulk(
        Array.from({ length: size }, (_, i) => ({ name: "noop", data: { row: first + i } })),
      );
    }
    await done;
    const seconds = (performance.now() - started) / 1000;
    await worker.close();
    await queue.close();
    return { kind: "bullmq-noop", jobs: spec.jobs, seconds };
  } finally {
    keysRemoved += await bench.cleanup();
  }
}

/** The client, counting requests and timing each run from create to its terminal GET. */
function instrumented(inner: RunflowClient, origin: () => number) {
  const stats = {
    rateLimited: 0,
    creates: 0,
    gets: 0,
    downloads: 0,
    firstCreate: Number.POSITIVE_INFINITY,
    lastCreateSent: 0,
    lastCreate: 0,
    lastTerminalGet: 0,
    lastDownload: 0,
  };
  const createMs: number[] = [];
  const waits: number[] = [];
  const downloadMs: number[] = [];
  const lags: number[] = [];
  const latencies: number[] = [];
  const counting429 = <T>(call: () => Promise<T>): Promise<T> =>
    call().catch((error: unknown) => {
      if (classifyError(error).kind === "rate-limited") stats.rateLimited += 1;
      throw error;
    });
  const createdAt = new Map<string, number>();
  const terminalAt: Record<string, number> = {};
  const since = () => performance.now() - origin();
  const client: RunflowClient = {
    async createRun(request) {
      const sent = performance.now();
      stats.lastCreateSent = Math.max(stats.lastCreateSent, since());
      const run = await counting429(() => inner.createRun(request));
      stats.creates += 1;
      createMs.push(performance.now() - sent);
      stats.firstCreate = Math.min(stats.firstCreate, since());
      stats.lastCreate = Math.max(stats.lastCreate, since());
      createdAt.set(run.id, performance.now());
      return run;
    },
    async getRun(id) {
      stats.gets += 1;
      const run = await counting429(() => inner.getRun(id));
      if (run.terminal && run.createdAt !== null && run.durationMs !== null) {
        lags.push(Date.now() - (Date.parse(run.createdAt) + run.durationMs));
        latencies.push(run.durationMs);
      }
      const created = createdAt.get(id);
      if (run.terminal && !(id in terminalAt)) terminalAt[id] = Date.now();
      if (run.terminal && created !== undefined) {
        waits.push(performance.now() - created);
        stats.lastTerminalGet = Math.max(stats.lastTerminalGet, since());
      }
      return run;
    },
    async downloadOutput(request) {
      const started = performance.now();
      const file = await inner.downloadOutput(request);
      downloadMs.push(performance.now() - started);
      stats.downloads += 1;
      stats.lastDownload = Math.max(stats.lastDownload, since());
      return file;
    },
    getBalance: () => inner.getBalance(),
    close: () => inner.close(),
  };
  return { client, stats, createMs, waits, downloadMs, lags, latencies, terminalAt };
}

const mean = (values: readonly number[]) =>
  values.reduce((sum, v) => sum + v, 0) / Math.max(1, values.length);

function percentiles(values: number[]): Percentiles {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) =>
    Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN);
  return { p50: at(0.5), p95: at(0.95), max: Math.round(sorted.at(-1) ?? Number.NaN) };
}

async function pipeline(
  spec: Extract<MeasureSpec, { kind: "pipeline" }>,
): Promise<Omit<PipelineResult, keyof ProcessUsage>> {
  const bench = await benchRedis("pipeline", spec.keepPrefix);
  const { redis, keys } = bench;
  const logger = silentLogger();
  const ledger = createLedger(redis, keys);
  let runStart = Number.POSITIVE_INFINITY;
  const connections =
    spec.limiter === undefined || spec.limiter.kind === "none" ? 256 : Math.max(64, spec.concurrency);
  const raw = createRunflowClient({ baseUrl: spec.simUrl, apiKey: "rf_bench", logger, connections });
  const {
    client: counted,
    stats,
    createMs,
    waits,
    downloadMs,
    lags,
    latencies,
    terminalAt,
  } = instrumented(raw, () => runStart);
  const limiter = spec.limiter;
  const client =
    limiter === undefined || limiter.kind === "none"
      ? counted
      : withRateLimit(
          counted,
          limiter.kind === "adaptive"
            ? createAdaptiveLimiter(
                limiter.remember ? { store: createKnownRateStore(redis, keys.knownRate("bench")) } : {},
              )
            : createSharedLimiter({ redis, key: keys.rateLimit("bench"), maxRps: limiter.maxRps, logger }),
        );
  const callback =
    spec.callbackPort === undefined
      ? null
      : {
          url: `http://127.0.0.1:${spec.callbackPort}/cb`,
          listen: { host: "127.0.0.1", port: spec.callbackPort },
        };
  const settings: BatchSettings = {
    source: { path: spec.manifest },
    prices: BUILT_IN_PRICES,
    skipInvalid: false,
    batchId: undefined,
    capMicros: null,
    force: false,
    retry: DEFAULT_RETRY_OPTIONS,
  };
  try {
    const started = performance.now();
    const binding = bindingFor(spec.simUrl, "rf_bench");
    const opened = await openBatch({
      redis,
      keys,
      ledger,
      logger,
      client,
      binding,
      settings,
      out: spec.outDir,
      stderr: process.stderr,
    });
    runStart = performance.now();
    const runStartEpoch = Date.now();
    try {
      const { outcome, record } = await runBatch({
        deps: { redis, keys, ledger, logger },
        client,
        batchId: opened.record.id,
        binding,
        outDir: spec.outDir,
        work: {
          poll: spec.poll ?? undefined,
          callback,
          concurrency: { generate: spec.concurrency, edit: spec.concurrency },
        },
      });
      const runSeconds = (performance.now() - runStart) / 1000;
      const results = await redis.hvals(keys.results(record.id));
      const lastFinished = results.reduce(
        (last, json) => Math.max(last, Date.parse((JSON.parse(json) as { finished_at: string }).finished_at)),
        0,
      );
      return {
        ...{
          kind: "pipeline",
          outcome,
          rows: record.submission.rows,
          succeeded: record.succeeded,
          failed: record.failed,
        },
        files: (await readdir(path.join(spec.outDir, "images"))).length,
        prepareSeconds: (runStart - started) / 1000,
        runSeconds,
        lastRecordedSeconds: (lastFinished - runStartEpoch) / 1000,
        ...{
          firstCreateSeconds: stats.firstCreate / 1000,
          lastCreateSentSeconds: stats.lastCreateSent / 1000,
          lastCreateSeconds: stats.lastCreate / 1000,
        },
        ...{
          lastTerminalGetSeconds: stats.lastTerminalGet / 1000,
          lastDownloadSeconds: stats.lastDownload / 1000,
        },
        ...{
          creates: stats.creates,
          gets: stats.gets,
          downloads: stats.downloads,
          createMs: percentiles(createMs),
          waitMs: percentiles(waits),
          downloadMs: percentiles(downloadMs),
        },
        lagMs: { ...percentiles(lags), mean: Math.round(mean(lags)) },
        meanLatencyMs: Math.round(mean(latencies)),
        rateLimited: stats.rateLimited,
        ...(spec.terminalTimes ? { terminalAtMs: terminalAt } : {}),
      };
    } finally {
      await opened.queues.close();
    }
  } finally {
    await client.close();
    keysRemoved += await bench.cleanup();
  }
}

const spec = JSON.parse(process.argv[2] ?? "null") as MeasureSpec | null;
if (!spec) throw new Error("usage: node --import tsx bench/lib/measure.ts '<MeasureSpec JSON>'");
const rss = sampleRss();
const cpuAtStart = process.cpuUsage(); // after the imports: module loading is not the measurement's
const measured = spec.kind === "bullmq-noop" ? await bullmqNoop(spec) : await pipeline(spec);
rss.stop();
const usage = process.resourceUsage();
const spent: ProcessUsage = {
  ...{
    maxRssKb: usage.maxRSS,
    sampledPeakRss: Math.max(rss.peak(), process.memoryUsage().rss),
    samples: rss.count(),
    keysRemoved,
  },
  cpuSeconds: ((cpu) => (cpu.user + cpu.system) / 1e6)(process.cpuUsage(cpuAtStart)),
};
process.stdout.write(JSON.stringify({ ...measured, ...spent }) + "\n");
