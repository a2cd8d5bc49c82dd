/**
 * `npm run bench:pipeline`: how fast is the `run` pipeline (manifest → Redis → worker → Runflow →
 * images on disk), measured against what it is built on, in one run.
 *
 *  (a) Zero simulated latency, 20,000 gpt-image-2 low-quality rows, concurrency 200, short polls:
 *      rows/s end to end (openBatch = validation pass + batch record + pre-flight, then runBatch
 *      until every row is recorded and its image downloaded) against bare BullMQ no-op processing
 *      of as many jobs (addBulk in chunks of 500 + a Worker of concurrency 200 returning at once)
 *      on the same Redis.
 *  (b) 10 s simulated latency, 2,000 rows at concurrency 2,000 in one worker process, first poll
 *      at ~10 s: throughput against the ideal concurrency ÷ latency (200 rows/s; target ≥ 0.9),
 *      and the peak RSS of that process.
 *
 * Where things run: the simulator in a child process (the real CLI, `simulator --port 0`) in both
 * scenarios; every measurement in a fresh Node process of its own (bench/lib/measure.ts), so the
 * peak RSS reported is that process's alone (resourceUsage().maxRSS and a 250 ms rss sampler).
 * Each measurement uses its own Redis key prefix, deleted afterwards (SCAN + UNLINK); manifests
 * and images go to a temporary directory, deleted at the end.
 * Options (environment): A_ROWS=20000 A_CONCURRENCY=200 B_ROWS=2000 B_CONCURRENCY=2000 B_LATENCY_MS=10000.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { connectRedis } from "../src/redis/connection.js";
import { measureInChild, startSimulatorChild, type SimulatorChild } from "./lib/children.js";
import { REDIS_URL, redisCpuSeconds } from "./lib/bench-redis.js";
import type { MeasureResult, MeasureSpec, PipelineResult } from "./lib/measure.js";

type NoopSpec = Extract<MeasureSpec, { kind: "bullmq-noop" }>;

const A_ROWS = Number(process.env.A_ROWS ?? 20_000);
const A_CONCURRENCY = Number(process.env.A_CONCURRENCY ?? 200);
const B_ROWS = Number(process.env.B_ROWS ?? 2_000);
const B_CONCURRENCY = Number(process.env.B_CONCURRENCY ?? 2_000);
const B_LATENCY_MS = Number(process.env.B_LATENCY_MS ?? 10_000);
const A_POLL = { initialMs: 0, intervalMs: 20, maxMs: 20 };
// Polling starts at the model's typical duration (here: the simulated latency), as the product intends.
const B_POLL = { initialMs: B_LATENCY_MS, intervalMs: 500, maxMs: 1_000 };

const mb = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`;
const fixed = (n: number, digits = 2) => n.toFixed(digits);
const int = (n: number) => Math.round(n).toLocaleString("en-US");

function table(title: string, rows: readonly (readonly string[])[]): void {
  const widths = rows[0]?.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? "").length))) ?? [];
  console.log(`\n${title}`);
  rows.forEach((r, i) => {
    console.log(
      r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0))).join("   "),
    );
    if (i === 0) console.log(widths.map((w) => "-".repeat(w)).join("   "));
  });
}

async function writeManifest(dir: string, rows: number): Promise<string> {
  const file = path.join(dir, `manifest-${rows}.jsonl`);
  const line = (i: number) =>
    JSON.stringify({
      id: `row-${i}`,
      model: "openai/gpt-image-2",
      prompt: `Studio photo of product ${i}, white background`,
      quality: "low",
    });
  await writeFile(file, Array.from({ length: rows }, (_, i) => line(i)).join("\n") + "\n");
  return file;
}

const redis = await connectRedis(REDIS_URL); // for INFO only: the Redis version and its CPU time

interface Cpu {
  readonly measured: number;
  readonly simulator: number;
  readonly redis: number;
}

/** A measurement in its own process, with the CPU seconds it, the simulator and Redis spent meanwhile. */
async function measure<S extends MeasureSpec>(
  spec: S,
  sim: SimulatorChild | null,
): Promise<{ result: MeasureResult<S>; cpu: Cpu }> {
  const [redisBefore, simBefore] = [await redisCpuSeconds(redis), sim?.cpuSeconds() ?? 0];
  const result = await measureInChild(spec);
  const cpu = {
    measured: result.cpuSeconds,
    simulator: (sim?.cpuSeconds() ?? 0) - simBefore,
    redis: (await redisCpuSeconds(redis)) - redisBefore,
  };
  return { result, cpu };
}

const cpuText = (cpu: Cpu, rows: number) =>
  `${fixed(cpu.measured, 1)} / ${fixed(cpu.simulator, 1)} / ${fixed(cpu.redis, 1)} s (${int(((cpu.measured + cpu.simulator + cpu.redis) / rows) * 1e6)} µs per row)`;

async function environment(): Promise<string[]> {
  const info = await redis.info("server");
  const cpus = os.cpus();
  return [
    `node ${process.version} on ${process.platform}/${process.arch}, ${os.availableParallelism()} CPUs (${cpus[0]?.model.trim() ?? "unknown"}), ${mb(os.totalmem())} RAM`,
    `Redis ${/redis_version:(\S+)/.exec(info)?.[1] ?? "?"} at ${REDIS_URL}`,
  ];
}

/** Other work on the machine lowers every figure here; say so when there is some. */
function loadNote(): string {
  const [one = 0] = os.loadavg();
  const busy = one > 0.5 * os.availableParallelism();
  return `load average (1 min) before the bench: ${fixed(one)}${busy ? " — the machine is busy with other work: figures will be low and noisy" : ""}`;
}

function check(label: string, r: PipelineResult, rows: number, ledger: { runsCreated: number }): void {
  const ok = r.outcome === "done" && r.succeeded === rows && r.files === rows && ledger.runsCreated === rows;
  if (!ok)
    throw new Error(
      `${label}: expected ${rows} rows done, files and runs; got outcome ${r.outcome}, ${r.succeeded} succeeded, ${r.failed} failed, ${r.files} files, ${ledger.runsCreated} runs created`,
    );
}

async function scenarioA(dir: string) {
  const manifest = await writeManifest(dir, A_ROWS);
  // The baseline is short (~2 s), so it runs three times; the median counts.
  const noops = [];
  for (let i = 0; i < 3; i++)
    noops.push(
      await measure<NoopSpec>({ kind: "bullmq-noop", jobs: A_ROWS, concurrency: A_CONCURRENCY }, null),
    );
  noops.sort((x, y) => x.result.seconds - y.result.seconds);
  const median = noops[1];
  if (!median) throw new Error("the baseline did not run");
  const { result: noop, cpu: noopCpu } = median;
  const sim = await startSimulatorChild(0);
  try {
    const outDir = path.join(dir, "out-a");
    const { result: run, cpu } = await measure(
      {
        kind: "pipeline",
        manifest,
        outDir,
        rows: A_ROWS,
        simUrl: sim.url,
        concurrency: A_CONCURRENCY,
        poll: A_POLL,
      },
      sim,
    );
    const ledger = await sim.ledger();
    check("(a)", run, A_ROWS, ledger);
    await rm(outDir, { recursive: true, force: true });
    const noopRate = A_ROWS / noop.seconds;
    const total = run.prepareSeconds + run.runSeconds;
    const rate = A_ROWS / total;
    table(
      `(a) zero latency: ${int(A_ROWS)} gpt-image-2 low rows, concurrency ${A_CONCURRENCY}, poll ${JSON.stringify(A_POLL)}; simulator in a child process`,
      [
        [
          "measurement",
          "seconds",
          "rows/s",
          "× baseline",
          "peak RSS (maxRSS / sampled)",
          "CPU: measured process / simulator / Redis",
        ],
        [
          `bare BullMQ no-op (median of ${noops.map((n) => fixed(n.result.seconds)).join(", ")} s)`,
          fixed(noop.seconds),
          int(noopRate),
          "1.000",
          `${mb(noop.maxRssKb * 1024)} / ${mb(noop.sampledPeakRss)}`,
          cpuText(noopCpu, A_ROWS),
        ],
        [
          "pipeline, end to end",
          fixed(total),
          int(rate),
          fixed(rate / noopRate, 3),
          `${mb(run.maxRssKb * 1024)} / ${mb(run.sampledPeakRss)}`,
          cpuText(cpu, A_ROWS),
        ],
        [
          "  openBatch (validate + record)",
          fixed(run.prepareSeconds),
          int(A_ROWS / run.prepareSeconds),
          "",
          "",
          "",
        ],
        [
          "  runBatch (submit + work)",
          fixed(run.runSeconds),
          int(A_ROWS / run.runSeconds),
          fixed(A_ROWS / run.runSeconds / noopRate, 3),
          "",
          "",
        ],
      ],
    );
    console.log(
      `requests: ${int(run.creates)} creates (p50 ${run.createMs.p50} ms), ${int(run.gets)} GETs (${fixed(run.gets / A_ROWS)} per row), ${int(run.downloads)} downloads; ` +
        `simulator ledger: ${int(ledger.runsCreated)} runs, ${int(ledger.replays)} replays, $${ledger.billedUsd}; ${int(run.files)} images on disk`,
    );
    return { noop, run, noopRate, rate, total, cpu };
  } finally {
    await sim.stop();
  }
}

async function scenarioB(dir: string) {
  const manifest = await writeManifest(dir, B_ROWS);
  const sim = await startSimulatorChild(B_LATENCY_MS);
  try {
    const spec = {
      kind: "pipeline",
      manifest,
      outDir: path.join(dir, "out-b"),
      rows: B_ROWS,
      simUrl: sim.url,
      concurrency: B_CONCURRENCY,
      poll: B_POLL,
    } as const;
    const { result: run, cpu } = await measure(spec, sim);
    const ledger = await sim.ledger();
    check("(b)", run, B_ROWS, ledger);
    const ideal = Math.min(B_CONCURRENCY, B_ROWS) / (B_LATENCY_MS / 1000);
    const rate = B_ROWS / run.runSeconds;
    const toLast = B_ROWS / run.lastRecordedSeconds;
    table(
      `(b) ${B_LATENCY_MS / 1000} s latency: ${int(B_ROWS)} rows, concurrency ${int(B_CONCURRENCY)}, one worker process, poll ${JSON.stringify(B_POLL)}; simulator in a child process`,
      [
        ["measurement", "seconds", "rows/s", "÷ ideal"],
        ["ideal: concurrency ÷ latency", fixed(B_ROWS / ideal), int(ideal), "1.000"],
        ["runBatch, start → return", fixed(run.runSeconds), fixed(rate, 1), fixed(rate / ideal, 3)],
        [
          "runBatch, start → last row recorded",
          fixed(run.lastRecordedSeconds),
          fixed(toLast, 1),
          fixed(toLast / ideal, 3),
        ],
        ["(openBatch before it: validate + record)", fixed(run.prepareSeconds), "", ""],
      ],
    );
    const at = (seconds: number) => `${fixed(seconds)} s`;
    table("(b) where the time goes (times from runBatch's start)", [
      ["what", "value"],
      ["first create answered", at(run.firstCreateSeconds)],
      ["last create sent / answered", `${at(run.lastCreateSentSeconds)} / ${at(run.lastCreateSeconds)}`],
      [
        "create round trip: p50 / p95 / max",
        `${run.createMs.p50} / ${run.createMs.p95} / ${run.createMs.max} ms`,
      ],
      [
        "per run, create answered → terminal GET: p50 / p95 / max",
        `${run.waitMs.p50} / ${run.waitMs.p95} / ${run.waitMs.max} ms`,
      ],
      [
        "last terminal GET / last download / last row recorded",
        `${at(run.lastTerminalGetSeconds)} / ${at(run.lastDownloadSeconds)} / ${at(run.lastRecordedSeconds)}`,
      ],
      [
        "one image downloaded (within the worker's download limit): p50 / p95 / max",
        `${run.downloadMs.p50} / ${run.downloadMs.p95} / ${run.downloadMs.max} ms`,
      ],
      ["GETs per row", fixed(run.gets / B_ROWS)],
      [
        "peak RSS of the worker process: maxRSS / sampled rss",
        `${mb(run.maxRssKb * 1024)} / ${mb(run.sampledPeakRss)} (${run.samples} samples)`,
      ],
      ["CPU: worker process / simulator / Redis", cpuText(cpu, B_ROWS)],
      [
        "simulator ledger",
        `${int(ledger.runsCreated)} runs for ${int(B_ROWS)} rows, ${int(ledger.replays)} replays, $${ledger.billedUsd}`,
      ],
    ]);
    return { run, ideal, rate };
  } finally {
    await sim.stop();
  }
}

async function main(): Promise<void> {
  const env = await environment();
  const load = loadNote();
  console.log(`runflow-batch pipeline bench\n${env.join("\n")}\n${load}`);
  const dir = await mkdtemp(path.join(os.tmpdir(), "rfb-bench-pipeline-"));
  const started = performance.now();
  try {
    const a = await scenarioA(dir);
    const b = await scenarioB(dir);
    console.log(
      `\nSummary (for the README; the bench took ${fixed((performance.now() - started) / 1000, 0)} s)`,
    );
    console.log(["```", "npm run bench:pipeline", ...env, load].join("\n"));
    console.log(`(a) 0 ms latency, ${int(A_ROWS)} rows, concurrency ${A_CONCURRENCY}:`);
    console.log(
      `    bare BullMQ no-op      ${int(a.noopRate).padStart(6)} jobs/s  (${fixed(a.noop.seconds)} s)`,
    );
    console.log(
      `    run pipeline           ${int(a.rate).padStart(6)} rows/s  (${fixed(a.total)} s: validate ${fixed(a.run.prepareSeconds)} s + run ${fixed(a.run.runSeconds)} s)`,
    );
    console.log(
      `    ratio                  ${fixed(a.rate / a.noopRate, 3)} of bare BullMQ; peak RSS ${mb(a.run.maxRssKb * 1024)}`,
    );
    console.log(
      `(b) ${B_LATENCY_MS / 1000} s latency, ${int(B_ROWS)} rows, concurrency ${int(B_CONCURRENCY)}, one process:`,
    );
    console.log(`    ideal                  ${int(b.ideal).padStart(6)} rows/s`);
    console.log(
      `    run pipeline           ${fixed(b.rate, 1).padStart(6)} rows/s  (${fixed(b.run.runSeconds)} s)`,
    );
    console.log(
      `    ratio                  ${fixed(b.rate / b.ideal, 3)} of ideal (target ≥ 0.9); peak RSS ${mb(b.run.maxRssKb * 1024)} (sampled ${mb(b.run.sampledPeakRss)})`,
    );
    console.log("```");
  } finally {
    await rm(dir, { recursive: true, force: true });
    await redis.quit();
  }
}

await main();
