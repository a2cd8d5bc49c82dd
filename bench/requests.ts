/**
 * `npm run bench:requests`: the request economy of issue 12, each figure against its baseline
 * in the same run, the simulator in a child process, every measurement in a fresh process.
 *
 *  (c) "real" latency (C_LATENCY, default 26–29 s), C_ROWS rows at concurrency C_CONCURRENCY (several
 *      waves, so a learned schedule has runs to learn from): GETs per row and the lag between a run
 *      ending at Runflow (created_at + duration_ms) and its terminal GET, for
 *        - the fixed default schedule (first look at 0.75 × the model's 20 s typical duration, then 2 s × 1.5ⁿ ≤ 10 s): the baseline;
 *        - the schedule learned from the latencies seen (no --poll-interval);
 *        - callbacks (a receiver in the process, polling as the slow fallback).
 *  (d) the simulator limiting to D_LIMIT req/s (429 with Retry-After), D_ROWS rows at concurrency
 *      D_CONCURRENCY, latency D_LATENCY: 429s ÷ requests and useful (non-429) requests/s ÷ the
 *      limit, for no client-side limiter (the baseline), the adaptive limiter, and --max-rps = the limit;
 *      polls every 0.5 s after a first look at 1 s, so GETs press on the limit.
 * Options (environment): SCENARIOS=cd C_ROWS=900 C_CONCURRENCY=300 C_LATENCY=26000-29000
 * D_ROWS=600 D_CONCURRENCY=300 D_LATENCY=1000-3000 D_LIMIT=100.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import { measureInChild, startSimulatorChild } from "./lib/children.js";
import type { MeasureSpec, PipelineResult } from "./lib/measure.js";

type PipelineSpec = Extract<MeasureSpec, { kind: "pipeline" }>;
const env = (name: string, fallback: string) => process.env[name] ?? fallback;
const SCENARIOS = env("SCENARIOS", "cd");
const C = {
  rows: Number(env("C_ROWS", "900")),
  concurrency: Number(env("C_CONCURRENCY", "300")),
  latency: env("C_LATENCY", "26000-29000"),
};
const D = {
  rows: Number(env("D_ROWS", "600")),
  concurrency: Number(env("D_CONCURRENCY", "300")),
  latency: env("D_LATENCY", "1000-3000"),
  limit: Number(env("D_LIMIT", "100")),
};
const fixed = (n: number, digits = 2) => n.toFixed(digits);

async function writeManifest(dir: string, rows: number): Promise<string> {
  const file = path.join(dir, `manifest-${rows}.jsonl`);
  const line = (i: number) =>
    JSON.stringify({
      id: `row-${i}`,
      model: "openai/gpt-image-2",
      prompt: `Studio photo of product ${i}`,
      quality: "low",
    });
  await writeFile(file, Array.from({ length: rows }, (_, i) => line(i)).join("\n") + "\n");
  return file;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

interface Row {
  readonly label: string;
  readonly run: PipelineResult;
  readonly sim: Awaited<ReturnType<Awaited<ReturnType<typeof startSimulatorChild>>["ledger"]>>;
}

async function one(
  label: string,
  latency: string,
  extra: readonly string[],
  spec: Omit<PipelineSpec, "kind" | "simUrl">,
): Promise<Row> {
  const sim = await startSimulatorChild(latency, extra);
  try {
    const run = await measureInChild({ kind: "pipeline", simUrl: sim.url, ...spec });
    const ledger = await sim.ledger();
    if (run.outcome !== "done" || run.succeeded !== spec.rows || ledger.runsCreated !== spec.rows) {
      throw new Error(
        `${label}: ${run.outcome}, ${run.succeeded}/${spec.rows} succeeded, ${ledger.runsCreated} runs created`,
      );
    }
    await rm(spec.outDir, { recursive: true, force: true });
    return { label, run, sim: ledger };
  } finally {
    await sim.stop();
  }
}

function print(title: string, header: readonly string[], rows: readonly (readonly string[])[]): void {
  const all = [header, ...rows];
  const widths = header.map((_, c) => Math.max(...all.map((r) => (r[c] ?? "").length)));
  console.log(`\n${title}`);
  all.forEach((r, i) => {
    console.log(
      r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0))).join("   "),
    );
    if (i === 0) console.log(widths.map((w) => "-".repeat(w)).join("   "));
  });
}

async function scenarioC(dir: string): Promise<void> {
  const manifest = await writeManifest(dir, C.rows);
  const base = { manifest, rows: C.rows, concurrency: C.concurrency, limiter: { kind: "adaptive" } as const };
  const rows = [
    await one("fixed default schedule (baseline)", C.latency, [], {
      ...base,
      outDir: path.join(dir, "c1"),
      poll: {},
    }),
    await one("learned from latencies seen", C.latency, [], {
      ...base,
      outDir: path.join(dir, "c2"),
      poll: null,
    }),
    await one("callbacks (+ slow fallback polls)", C.latency, [], {
      ...base,
      outDir: path.join(dir, "c3"),
      poll: null,
      callbackPort: await freePort(),
    }),
  ];
  print(
    `(c) latency ${C.latency} ms, ${C.rows} rows, concurrency ${C.concurrency}, one process`,
    ["schedule", "GETs/row", "API req/row (sim)", "mean lag", "lag ÷ latency", "lag p95", "seconds"],
    rows.map(({ label, run, sim }) => [
      label,
      fixed(run.gets / C.rows),
      fixed((sim.requests.create + sim.requests.get) / C.rows),
      `${fixed(run.lagMs.mean / 1000)} s`,
      `${fixed((100 * run.lagMs.mean) / run.meanLatencyMs, 1)} %`,
      `${fixed(run.lagMs.p95 / 1000)} s`,
      fixed(run.runSeconds, 1),
    ]),
  );
}

async function scenarioD(dir: string): Promise<void> {
  const manifest = await writeManifest(dir, D.rows);
  const extra = ["--rate-limit", String(D.limit), "--retry-after"];
  // Short fixed polls, as the issue measured: the pressure on the limit comes from GETs.
  const base = {
    manifest,
    rows: D.rows,
    concurrency: D.concurrency,
    poll: { initialMs: 1_000, intervalMs: 500, factor: 1, maxMs: 500 },
  };
  const rows = [
    await one("no client-side limiter (baseline)", D.latency, extra, {
      ...base,
      outDir: path.join(dir, "d1"),
      limiter: { kind: "none" },
    }),
    await one("adaptive (no --max-rps)", D.latency, extra, {
      ...base,
      outDir: path.join(dir, "d2"),
      limiter: { kind: "adaptive" },
    }),
    await one(`--max-rps ${D.limit}`, D.latency, extra, {
      ...base,
      outDir: path.join(dir, "d3"),
      limiter: { kind: "shared", maxRps: D.limit },
    }),
  ];
  print(
    `(d) simulator limit ${D.limit} req/s (429 + Retry-After), latency ${D.latency} ms, ${D.rows} rows, concurrency ${D.concurrency}`,
    ["limiter", "requests", "429s", "429 share", "useful req/s ÷ limit", "max req in 1 s", "seconds"],
    rows.map(({ label, run, sim }) => {
      const total = sim.requests.create + sim.requests.get + sim.requests.balance + sim.requests.other;
      const useful = total - sim.requests.rateLimited;
      return [
        label,
        String(total),
        String(sim.requests.rateLimited),
        `${fixed((100 * sim.requests.rateLimited) / total, 1)} %`,
        fixed(useful / run.runSeconds / D.limit, 3),
        String(sim.requests.maxPerSecond),
        fixed(run.runSeconds, 1),
      ];
    }),
  );
}

const dir = await mkdtemp(path.join(os.tmpdir(), "rfb-bench-requests-"));
const [load = 0] = os.loadavg();
console.log(
  `runflow-batch request bench: node ${process.version}, ${os.availableParallelism()} CPUs, load average (1 min) before: ${fixed(load)}`,
);
try {
  if (SCENARIOS.includes("c")) await scenarioC(dir);
  if (SCENARIOS.includes("d")) await scenarioD(dir);
} finally {
  await rm(dir, { recursive: true, force: true });
}
