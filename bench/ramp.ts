/**
 * `npm run bench:ramp`: the create ramp (issue 19). R_ROWS rows (default 2,000) at a fixed
 * latency (R_LATENCY, 10 s), `run --concurrency R_ROWS` in one process, so every row is created at
 * once: R_LATENCY ÷ the span from the first create to the last download (1.0 would be every run
 * created, seen and downloaded at no cost). The simulator in a child process, every measurement
 * in a fresh process:
 *   - no client-side limiter: the baseline (as fast as the process can create);
 *   - the adaptive limiter knowing nothing of the account (a fresh Redis);
 *   - the adaptive limiter again on the same Redis and binding: it starts from the rate the first
 *     batch took (and from the latencies it learned);
 *   - --max-rps R_MAX_RPS (the shared limit through Redis).
 * Options (environment): R_ROWS=2000 R_LATENCY=10000 R_MAX_RPS=1000
 */
import { randomUUID } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { removePrefix } from "./lib/bench-redis.js";
import { measureInChild, startSimulatorChild } from "./lib/children.js";
import type { MeasureSpec, PipelineResult } from "./lib/measure.js";

type PipelineSpec = Extract<MeasureSpec, { kind: "pipeline" }>;
type Limiter = NonNullable<PipelineSpec["limiter"]>;
const env = (name: string, fallback: string) => process.env[name] ?? fallback;
const ROWS = Number(env("R_ROWS", "2000"));
const LATENCY = Number(env("R_LATENCY", "10000"));
const MAX_RPS = Number(env("R_MAX_RPS", "1000"));
const fixed = (n: number, digits = 2) => n.toFixed(digits);

async function writeManifest(dir: string): Promise<string> {
  const file = path.join(dir, `manifest-${ROWS}.jsonl`);
  const line = (i: number) =>
    JSON.stringify({ id: `row-${i}`, model: "openai/gpt-image-2", prompt: `Product ${i}`, quality: "low" });
  await writeFile(file, Array.from({ length: ROWS }, (_, i) => line(i)).join("\n") + "\n");
  return file;
}

interface Row {
  readonly label: string;
  readonly run: PipelineResult;
  readonly maxPerSecond: number;
  readonly rateLimited: number;
}

const dir = await mkdtemp(path.join(os.tmpdir(), "rfb-bench-ramp-"));
const [load = 0] = os.loadavg();
console.log(
  `runflow-batch create-ramp bench: node ${process.version}, ${os.availableParallelism()} CPUs, ` +
    `load average (1 min) before: ${fixed(load)}`,
);
try {
  const manifest = await writeManifest(dir);
  const rows: Row[] = [];
  const sim = await startSimulatorChild(LATENCY);
  const keepPrefix = `rfbbench-ramp-${randomUUID().slice(0, 8)}`;
  try {
    const measure = async (label: string, limiter: Limiter, keep: boolean) => {
      const before = (await sim.ledger()).requests;
      const outDir = path.join(dir, `out-${rows.length}`);
      const spec: PipelineSpec = {
        ...{ kind: "pipeline", manifest, outDir, rows: ROWS, simUrl: sim.url, concurrency: ROWS },
        ...{ poll: null, limiter },
        ...(keep ? { keepPrefix } : {}),
      };
      const run = await measureInChild(spec);
      if (run.outcome !== "done" || run.succeeded !== ROWS)
        throw new Error(`${label}: ${run.outcome}, ${run.succeeded}/${ROWS} succeeded`);
      const after = (await sim.ledger()).requests;
      rows.push({
        label,
        run,
        maxPerSecond: after.maxPerSecond,
        rateLimited: after.rateLimited - before.rateLimited,
      });
      await rm(outDir, { recursive: true, force: true });
    };
    await measure("no client-side limiter (baseline)", { kind: "none" }, false);
    await measure("adaptive, account unknown (fresh Redis)", { kind: "adaptive", remember: true }, true);
    await measure("adaptive, next batch (known rate in Redis)", { kind: "adaptive", remember: true }, true);
    await measure(`--max-rps ${MAX_RPS}`, { kind: "shared", maxRps: MAX_RPS }, false);
  } finally {
    await sim.stop();
    await removePrefix(keepPrefix);
  }
  const baseline = rows[0]!;
  const ratio = (r: Row) => LATENCY / 1000 / (r.run.lastDownloadSeconds - r.run.firstCreateSeconds);
  const header = [
    "limiter",
    "latency ÷ span",
    "÷ baseline",
    "creates sent over",
    "last create → last download",
    "mean lag",
    "GETs/row",
    "seconds",
  ];
  const cells = rows.map((r) => [
    r.label,
    fixed(ratio(r), 3),
    fixed(ratio(r) / ratio(baseline), 3),
    `${fixed(r.run.lastCreateSentSeconds - r.run.firstCreateSeconds)} s`,
    `${fixed(r.run.lastDownloadSeconds - r.run.lastCreateSeconds)} s`,
    `${fixed(r.run.lagMs.mean / 1000)} s`,
    fixed(r.run.gets / ROWS),
    fixed(r.run.runSeconds, 1),
  ]);
  const all = [header, ...cells];
  const widths = header.map((_, c) => Math.max(...all.map((r) => (r[c] ?? "").length)));
  console.log(
    `\n${ROWS} rows, latency ${LATENCY} ms, concurrency ${ROWS}, one process (goal: latency ÷ span ≥ 0.9)`,
  );
  all.forEach((r, i) => {
    console.log(
      r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join("   "),
    );
    if (i === 0) console.log(widths.map((w) => "-".repeat(w)).join("   "));
  });
  console.log(`\nload average (1 min) after: ${fixed(os.loadavg()[0] ?? 0)}`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
