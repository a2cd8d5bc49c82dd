/**
 * `npm run bench:night`: a night's batch as issue 19 measures it — N_ROWS rows (default 10,000)
 * at 15–40 s simulated latency, submitted, then worked by N_WORKERS worker processes (default 2)
 * of N_CONCURRENCY runs in flight each (default 1,000), once polling only and once with callbacks.
 * The compiled CLI, a private redis-server, the simulator in a child process leaving `duration_ms`
 * out as the API allows.
 *
 * Printed per mode:
 *  - ideal ÷ wall, where ideal = Σ latency ÷ (workers × concurrency): the time the runs' own
 *    latencies need on that many slots, against the wall time from the workers' start to the last
 *    row recorded;
 *  - that as a share of what a zero-overhead scheduler that cannot know a run's latency in advance
 *    reaches on the same latencies (each run, in creation order, takes the first free slot at once;
 *    its ideal ÷ makespan is the "reachable");
 *  - API calls per row (creates + reads; downloads not counted), and the workers' peak RSS.
 * Goals: ≥ 0.95 of the reachable either way; ≤ 4.0 calls per row polling, ≤ 2.0 with callbacks;
 * worker RSS ≤ 300 MB.
 *
 * Modes, in order: `polling` (a first night: nothing learned yet), `polling-next` (the next night:
 * the same rows under a new batch, with the latencies the first night taught kept in Redis, as a
 * nightly schedule has them) and `callbacks` (a first night with callbacks).
 *
 * Options (environment): N_ROWS=10000 N_WORKERS=2 N_CONCURRENCY=1000 N_LATENCY=15000-40000
 * N_MODES=polling,polling-next,callbacks
 */
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { buildBinary } from "./lib/binary.js";
import { startSimulatorChild, stopChild, type SimulatorChild } from "./lib/children.js";
import { freePort, privateRedis, type PrivateRedis } from "./lib/private-redis.js";

const ROWS = Number(process.env.N_ROWS ?? 10_000);
const WORKERS = Number(process.env.N_WORKERS ?? 2);
const CONCURRENCY = Number(process.env.N_CONCURRENCY ?? 1_000);
const LATENCY = process.env.N_LATENCY ?? "15000-40000";
const MODES = (process.env.N_MODES ?? "polling,polling-next,callbacks").split(",");
const ROOT = path.resolve(import.meta.dirname, "..");

const built = buildBinary();
const cli = built ? [built.main] : ["--import", "tsx", "src/cli/main.ts"];
const int = (n: number) => Math.round(n).toLocaleString("en-US");

/** Ideal time on `slots` slots, and what a scheduler that takes each run in order at once reaches. */
function reachable(runs: readonly { start: number; latency: number }[], slots: number) {
  const ideal = runs.reduce((sum, r) => sum + r.latency, 0) / slots;
  // Slots' free times in a min-heap would be faster; a sorted insert is enough for 10,000 runs.
  const free: number[] = Array.from({ length: slots }, () => 0);
  let makespan = 0;
  for (const run of runs) {
    const at = free.shift() ?? 0;
    const end = at + run.latency;
    makespan = Math.max(makespan, end);
    let i = free.findIndex((t) => t > end);
    if (i === -1) i = free.length;
    free.splice(i, 0, end);
  }
  return { idealMs: ideal, reachableRatio: ideal / makespan };
}

const rssOf = (pid: number | undefined) => {
  try {
    return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${String(pid)}/status`, "utf8"))?.[1]) * 1024;
  } catch {
    return 0;
  }
};

async function submit(file: string, out: string, batch: string, env: Record<string, string>) {
  const child = spawn(
    process.execPath,
    [
      ...cli,
      "submit",
      file,
      "--out",
      out,
      "--batch",
      batch,
      "--max-queued",
      String(2 * WORKERS * CONCURRENCY),
    ],
    { cwd: ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "ignore", "pipe"] },
  );
  let err = "";
  child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString()));
  const [code] = (await once(child, "close")) as [number | null];
  if (code !== 0) throw new Error(`submit exited ${String(code)}: ${err}`);
}

/** The simulator's port of the last night: the next night reaches the same endpoint (the learned
 * latencies are kept per endpoint and account). */
let lastPort = "0";

async function night(dir: string, redis: PrivateRedis, mode: string) {
  // The next night keeps what Redis learned (the latency book); every other mode starts bare.
  if (mode !== "polling-next") await redis.flush();
  const batch = `night-${mode}`;
  const port = mode === "polling-next" ? lastPort : "0";
  const sim: SimulatorChild = await startSimulatorChild(LATENCY, [
    "--omit-timing",
    "duration_ms",
    "--port",
    port,
  ]);
  lastPort = new URL(sim.url).port;
  const env = {
    REDIS_URL: redis.url,
    RUNFLOW_BASE_URL: sim.url,
    RUNFLOW_API_KEY: "rf_bench_key",
    LOG_LEVEL: "warn",
  };
  const workers: ChildProcess[] = [];
  try {
    const file = path.join(dir, "night.jsonl");
    const line = (i: number) =>
      JSON.stringify({ id: `sku-${i}`, model: "openai/gpt-image-2", prompt: `product ${i}`, quality: "low" });
    await writeFile(file, Array.from({ length: ROWS }, (_, i) => line(i)).join("\n") + "\n");
    await submit(file, path.join(dir, `out-${mode}`), batch, env);
    const started = Date.now();
    for (let i = 0; i < WORKERS; i++) {
      const callback: string[] = [];
      if (mode === "callbacks") {
        const port = await freePort();
        callback.push(
          "--callback-url",
          `http://127.0.0.1:${port}/cb`,
          "--callback-listen",
          `127.0.0.1:${port}`,
        );
      }
      const args = [...cli, "worker", "--batch", batch, "--concurrency", String(CONCURRENCY), ...callback];
      workers.push(
        spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: "ignore" }),
      );
    }
    let peakRss = 0;
    for (;;) {
      for (const w of workers) peakRss = Math.max(peakRss, rssOf(w.pid));
      const done = Number((await redis.redis.hget(`{rfb:${batch}}:batch`, "succeeded")) ?? 0);
      if (done >= ROWS) break;
      await new Promise((resolve) => setTimeout(resolve, 250)); // polling a condition, not timing it
    }
    const wallMs = Date.now() - started;
    const ledger = await sim.ledger();
    const runs = ledger.runs
      .map((r) => ({
        start: Date.parse(r.createdAt),
        latency: Date.parse(r.endsAt) - Date.parse(r.createdAt),
      }))
      .sort((a, b) => a.start - b.start);
    const { idealMs, reachableRatio } = reachable(runs, WORKERS * CONCURRENCY);
    const ratio = idealMs / wallMs;
    const calls = (ledger.requests.create + ledger.requests.get) / ROWS;
    return { ratio, reachableRatio, calls, peakRss, wallMs, runs: ledger.runsCreated };
  } finally {
    await Promise.all(workers.map(stopChild));
    await sim.stop();
  }
}

const dir = await mkdtemp(path.join(os.tmpdir(), "rfb-bench-night-"));
const redis = await privateRedis(dir);
try {
  console.log(
    `bench:night — ${int(ROWS)} rows at ${LATENCY} ms, ${WORKERS} workers × ${int(CONCURRENCY)} in flight`,
  );
  console.log(built ? `compiled binary${built.note}` : "through tsx (the build failed)");
  console.log(
    `node ${process.version}, ${os.availableParallelism()} CPUs, load average ${os.loadavg()[0]?.toFixed(2)}`,
  );
  for (const mode of MODES) {
    const r = await night(dir, redis, mode);
    console.log(`\n${mode}: ${int(r.runs)} runs in ${(r.wallMs / 1000).toFixed(1)} s`);
    console.log(
      `  ideal ÷ wall ${r.ratio.toFixed(3)}; reachable ${r.reachableRatio.toFixed(3)}; ` +
        `share of the reachable ${(r.ratio / r.reachableRatio).toFixed(3)} (goal ≥ 0.95)`,
    );
    console.log(
      `  API calls per row ${r.calls.toFixed(2)} (goal ≤ ${mode === "callbacks" ? "2.0" : "4.0"}); ` +
        `peak worker RSS ${Math.round(r.peakRss / 1048576)} MB (goal ≤ 300 MB)`,
    );
  }
} finally {
  await redis.stop();
  await rm(dir, { recursive: true, force: true });
}
