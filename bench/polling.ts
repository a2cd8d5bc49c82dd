/**
 * `npm run bench:polling`: polls that see the end (issue 19), against a simulator that leaves
 * `duration_ms` null as Runflow's docs allow, the simulator in a child process, every measurement
 * in a fresh process. For each latency range (P_LATENCIES, default 4–6 s and 15–40 s), P_ROWS
 * rows at concurrency P_CONCURRENCY, one process, polling only (no callbacks):
 *   - the fixed default schedule (first look at 0.75 × the model's 20 s typical duration, then
 *     2 s × 1.5ⁿ ≤ 10 s): what every run used when nothing taught a schedule — the baseline;
 *   - the learned schedule, knowing nothing (a fresh Redis): the first batch of a model;
 *   - the learned schedule again on the same Redis and binding: a later batch of the model;
 *   - the same two with every timing field left null (latencies only as the brackets our GETs saw).
 * Per run: GETs, and the lag from its end at the simulator (the ledger's endsAt, whatever the API
 * sent) to its first terminal GET. Beside each, the least lag any schedule reaches with the same
 * GETs per run on the same latencies (poll-plan.ts bestWithin): the best achievable trade-off.
 * Options (environment): P_LATENCIES=4000-6000,15000-40000 P_ROWS=600 P_CONCURRENCY=150 P_VARIANTS=all
 */
import { randomUUID } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { bestWithin } from "../src/worker/poll-plan.js";
import { removePrefix } from "./lib/bench-redis.js";
import { measureInChild, startSimulatorChild } from "./lib/children.js";
import type { MeasureSpec, PipelineResult } from "./lib/measure.js";

type PipelineSpec = Extract<MeasureSpec, { kind: "pipeline" }>;
const env = (name: string, fallback: string) => process.env[name] ?? fallback;
const LATENCIES = env("P_LATENCIES", "4000-6000,15000-40000").split(",");
const ROWS = Number(env("P_ROWS", "600"));
const CONCURRENCY = Number(env("P_CONCURRENCY", "150"));
const fixed = (n: number, digits = 2) => n.toFixed(digits);

async function writeManifest(dir: string, rows: number): Promise<string> {
  const file = path.join(dir, `manifest-${rows}.jsonl`);
  const line = (i: number) =>
    JSON.stringify({ id: `row-${i}`, model: "openai/gpt-image-2", prompt: `Product ${i}`, quality: "low" });
  await writeFile(file, Array.from({ length: rows }, (_, i) => line(i)).join("\n") + "\n");
  return file;
}

interface Figures {
  readonly label: string;
  readonly getsPerRun: number;
  readonly lagShare: number;
  readonly bestLagShare: number;
  readonly p95LagS: number;
  readonly seconds: number;
}

/** GETs per run and lag ÷ mean latency from the run's terminal GET times and the simulator's truth. */
function figures(
  label: string,
  run: PipelineResult,
  ledger: readonly { id: string; createdAt: string; endsAt: string }[],
): Figures {
  const at = run.terminalAtMs ?? {};
  const lags: number[] = [];
  const latencies: number[] = [];
  for (const r of ledger) {
    const seen = at[r.id];
    if (seen === undefined) continue;
    const ends = Date.parse(r.endsAt);
    lags.push(seen - ends);
    latencies.push(ends - Date.parse(r.createdAt));
  }
  const mean = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0) / Math.max(1, xs.length);
  const getsPerRun = run.gets / run.rows;
  const best = bestWithin(latencies, getsPerRun);
  const sorted = [...lags].sort((a, b) => a - b);
  return {
    label,
    getsPerRun,
    lagShare: mean(lags) / mean(latencies),
    bestLagShare: best.lagMs / mean(latencies),
    p95LagS: (sorted[Math.floor(0.95 * (sorted.length - 1))] ?? Number.NaN) / 1000,
    seconds: run.runSeconds,
  };
}

async function scenario(dir: string, latency: string): Promise<Figures[]> {
  const manifest = await writeManifest(dir, ROWS);
  const base = {
    manifest,
    rows: ROWS,
    concurrency: CONCURRENCY,
    limiter: { kind: "adaptive" } as const,
    terminalTimes: true,
  };
  const out: Figures[] = [];
  /** One simulator for a cold/warm pair: the same URL is the same binding, so what was learned applies. */
  async function pair(labels: readonly string[], omit: string, poll: PipelineSpec["poll"]) {
    const sim = await startSimulatorChild(latency, ["--omit-timing", omit]);
    const keepPrefix = `rfbbench-polling-${randomUUID().slice(0, 8)}`;
    try {
      for (const label of labels) {
        const known = new Set((await sim.ledger()).runs.map((r) => r.id));
        const outDir = path.join(dir, `out-${out.length}`);
        const run = await measureInChild({
          kind: "pipeline",
          simUrl: sim.url,
          outDir,
          poll,
          keepPrefix,
          ...base,
        });
        if (run.outcome !== "done" || run.succeeded !== ROWS)
          throw new Error(`${label}: ${run.outcome}, ${run.succeeded}/${ROWS} succeeded`);
        const ledger = (await sim.ledger()).runs.filter((r) => !known.has(r.id));
        out.push(figures(label, run, ledger));
        await rm(outDir, { recursive: true, force: true });
      }
    } finally {
      await sim.stop();
      await removePrefix(keepPrefix);
    }
  }
  const variants = env("P_VARIANTS", "all");
  if (variants === "all" || variants.includes("fixed"))
    await pair(["fixed default schedule (baseline)"], "duration_ms", {});
  if (variants === "all" || variants.includes("learned"))
    await pair(
      ["learned, first batch (nothing known)", "learned, next batch (same Redis)"],
      "duration_ms",
      null,
    );
  if (variants === "all" || variants.includes("brackets"))
    await pair(
      ["no timing at all: learned, first batch", "no timing at all: learned, next batch"],
      "all",
      null,
    );
  return out;
}

function print(title: string, rows: readonly Figures[]): void {
  const baseline = rows[0];
  const header = [
    "schedule",
    "GETs/run",
    "lag ÷ latency",
    "best at same GETs",
    "lag p95",
    "GETs ÷ baseline",
    "lag ÷ baseline",
    "seconds",
  ];
  const cells = rows.map((r) => [
    r.label,
    fixed(r.getsPerRun, 3),
    fixed(r.lagShare, 3),
    fixed(r.bestLagShare, 3),
    `${fixed(r.p95LagS)} s`,
    baseline ? fixed(r.getsPerRun / baseline.getsPerRun) : "-",
    baseline ? fixed(r.lagShare / baseline.lagShare) : "-",
    fixed(r.seconds, 1),
  ]);
  const all = [header, ...cells];
  const widths = header.map((_, c) => Math.max(...all.map((r) => (r[c] ?? "").length)));
  console.log(`\n${title}`);
  all.forEach((r, i) => {
    console.log(
      r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join("   "),
    );
    if (i === 0) console.log(widths.map((w) => "-".repeat(w)).join("   "));
  });
}

const dir = await mkdtemp(path.join(os.tmpdir(), "rfb-bench-polling-"));
const [load = 0] = os.loadavg();
console.log(
  `runflow-batch polling bench: node ${process.version}, ${os.availableParallelism()} CPUs, ` +
    `load average (1 min) before: ${fixed(load)}`,
);
try {
  for (const latency of LATENCIES) {
    const rows = await scenario(dir, latency);
    print(
      `latency ${latency} ms, ${ROWS} rows, concurrency ${CONCURRENCY}, polling only, ` +
        `duration_ms null (goal: issue 19)`,
      rows,
    );
  }
  console.log(`\nload average (1 min) after: ${fixed(os.loadavg()[0] ?? 0)}`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
