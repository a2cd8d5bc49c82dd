/**
 * `npm run bench:workers`: what the worker costs per run, in two figures of issue 19, each against
 * its baseline measured in the same run (the compiled CLI, a private redis-server, the simulator
 * in a child process; the batch is submitted first, then `worker --batch ID` processes work it):
 *
 *  (a) scaling — ROWS rows (default 4,000) at zero simulated latency, worked by one worker process,
 *      then (a fresh batch) by two at once: rows/s of two ÷ rows/s of one (goal ≥ 1.6; the
 *      simulator and Redis share the same two cores).
 *  (b) memory per run in flight — one worker holding LOW (50) and then HIGH (5,000) runs in
 *      flight at a 45 s simulated latency: (RSS at HIGH − RSS at LOW) ÷ (HIGH − LOW) (goal ≤ 25 KB),
 *      read from /proc once every run is in flight at the simulator and the RSS has settled.
 *
 * Options (environment): ROWS=4000 CONCURRENCY=200 LOW=50 HIGH=5000 LATENCY_MS=45000.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { buildBinary } from "./lib/binary.js";
import { startSimulatorChild, stopChild, type SimulatorChild } from "./lib/children.js";
import { privateRedis, type PrivateRedis } from "./lib/private-redis.js";

const ROWS = Number(process.env.ROWS ?? 4_000);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 200);
const LOW = Number(process.env.LOW ?? 50);
const HIGH = Number(process.env.HIGH ?? 5_000);
const LATENCY_MS = Number(process.env.LATENCY_MS ?? 45_000);
const ROOT = path.resolve(import.meta.dirname, "..");

const built = buildBinary();
const cli = built ? [built.main] : ["--import", "tsx", "src/cli/main.ts"];
const int = (n: number) => Math.round(n).toLocaleString("en-US");
const mb = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`;
const until = async (what: string, check: () => Promise<boolean>, timeoutMs = 600_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100)); // polling a condition, not timing it
  }
};

async function manifest(dir: string, name: string, rows: number): Promise<string> {
  const file = path.join(dir, `${name}.jsonl`);
  const line = (i: number) =>
    JSON.stringify({
      id: `${name}-${i}`,
      model: "openai/gpt-image-2",
      prompt: `product ${i}`,
      quality: "low",
    });
  await writeFile(file, Array.from({ length: rows }, (_, i) => line(i)).join("\n") + "\n");
  return file;
}

function cliEnv(redis: PrivateRedis, sim: SimulatorChild): Record<string, string> {
  return {
    REDIS_URL: redis.url,
    RUNFLOW_BASE_URL: sim.url,
    RUNFLOW_API_KEY: "rf_bench_key",
    LOG_LEVEL: "warn",
  };
}

async function submit(file: string, out: string, batch: string, env: Record<string, string>, window: number) {
  const child = spawn(
    process.execPath,
    [...cli, "submit", file, "--out", out, "--batch", batch, "--max-queued", String(window)],
    { cwd: ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "ignore", "pipe"] },
  );
  let err = "";
  child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString()));
  const [code] = (await once(child, "close")) as [number | null];
  if (code !== 0) throw new Error(`submit exited ${String(code)}: ${err}`);
}

function worker(batch: string, concurrency: number, env: Record<string, string>, poll: string): ChildProcess {
  return spawn(
    process.execPath,
    [...cli, "worker", "--batch", batch, "--concurrency", String(concurrency), "--poll-interval", poll],
    { cwd: ROOT, env: { ...process.env, ...env }, stdio: "ignore" },
  );
}

const succeeded = async (redis: PrivateRedis, batch: string) =>
  Number((await redis.redis.hget(`{rfb:${batch}}:batch`, "succeeded")) ?? 0);

/** utime + stime of a live process from /proc/PID/stat, in seconds (clock ticks of 1/100 s). */
const cpuOf = (pid: number | undefined) => {
  const fields = readFileSync(`/proc/${String(pid)}/stat`, "utf8")
    .replace(/^.*\) /, "")
    .split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
};

const redisCpu = async (redis: PrivateRedis) => {
  const info = await redis.redis.info("cpu");
  const field = (name: string) => Number(new RegExp(`${name}:([\\d.]+)`).exec(info)?.[1]);
  return field("used_cpu_user") + field("used_cpu_sys");
};

/** (a): rows/s of `processes` workers on a fresh batch of ROWS rows, and where the CPU went. */
async function throughput(dir: string, redis: PrivateRedis, sim: SimulatorChild, processes: number) {
  await redis.flush();
  const batch = `w${processes}`;
  const file = await manifest(dir, batch, ROWS);
  await submit(file, path.join(dir, `out-${batch}`), batch, cliEnv(redis, sim), 2 * CONCURRENCY * processes);
  const started = performance.now();
  const [simBefore, redisBefore] = [sim.cpuSeconds(), await redisCpu(redis)];
  const workers = Array.from({ length: processes }, () =>
    worker(batch, CONCURRENCY, cliEnv(redis, sim), "20"),
  );
  try {
    await until(`${ROWS} rows of ${batch}`, async () => (await succeeded(redis, batch)) >= ROWS);
    const rate = ROWS / ((performance.now() - started) / 1000);
    const cpu = {
      workers: workers.reduce((sum, w) => sum + cpuOf(w.pid), 0),
      simulator: sim.cpuSeconds() - simBefore,
      redis: (await redisCpu(redis)) - redisBefore,
    };
    return { rate, cpu };
  } finally {
    await Promise.all(workers.map(stopChild));
  }
}

const rssOf = (pid: number | undefined) =>
  Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${String(pid)}/status`, "utf8"))?.[1]) * 1024;

/** (b): the worker's settled RSS with `n` runs in flight at the simulator. */
async function inFlightRss(dir: string, redis: PrivateRedis, n: number): Promise<number> {
  await redis.flush();
  const sim = await startSimulatorChild(LATENCY_MS);
  const batch = `f${n}`;
  try {
    const file = await manifest(dir, batch, n);
    await submit(file, path.join(dir, `out-${batch}`), batch, cliEnv(redis, sim), n);
    // The first look at a run comes well after the ramp: nothing is polled while RSS is read.
    const child = worker(batch, n, cliEnv(redis, sim), String(LATENCY_MS - 5_000));
    try {
      await until(`${n} runs in flight`, async () => (await sim.ledger()).inFlight >= n, LATENCY_MS);
      // Settled: three readings a second apart that agree within 2 %.
      const readings: number[] = [];
      await until(
        "the RSS to settle",
        async () => {
          readings.push(rssOf(child.pid));
          await new Promise((resolve) => setTimeout(resolve, 1_000));
          const last = readings.slice(-3);
          return last.length === 3 && Math.max(...last) <= 1.02 * Math.min(...last);
        },
        LATENCY_MS - 10_000,
      );
      return Math.max(...readings.slice(-3));
    } finally {
      await stopChild(child);
    }
  } finally {
    await sim.stop();
  }
}

const dir = await mkdtemp(path.join(os.tmpdir(), "rfb-bench-workers-"));
const redis = await privateRedis(dir);
try {
  console.log(`bench:workers — node ${process.version}, ${os.availableParallelism()} CPUs`);
  console.log(
    built ? `compiled binary, node .bench/dist/cli/main.js${built.note}` : "through tsx (the build failed)",
  );
  console.log(`load average (1 min) before: ${os.loadavg()[0]?.toFixed(2)}`);

  const sim = await startSimulatorChild(0);
  let one: Awaited<ReturnType<typeof throughput>>;
  let two: Awaited<ReturnType<typeof throughput>>;
  try {
    one = await throughput(dir, redis, sim, 1);
    two = await throughput(dir, redis, sim, 2);
  } finally {
    await sim.stop();
  }
  console.log(`\n(a) ${int(ROWS)} rows at zero latency, concurrency ${CONCURRENCY} per process`);
  console.log(
    `    one worker ${int(one.rate)} rows/s, two workers ${int(two.rate)} rows/s: ` +
      `${(two.rate / one.rate).toFixed(2)}× (goal ≥ 1.6)`,
  );
  const cpuLine = (label: string, cpu: (typeof one)["cpu"]) =>
    `    CPU per row, ${label}: worker(s) ${int((cpu.workers / ROWS) * 1e6)} µs, simulator ` +
    `${int((cpu.simulator / ROWS) * 1e6)} µs, Redis ${int((cpu.redis / ROWS) * 1e6)} µs`;
  console.log(cpuLine("one worker", one.cpu));
  console.log(cpuLine("two workers", two.cpu));

  const low = await inFlightRss(dir, redis, LOW);
  const high = await inFlightRss(dir, redis, HIGH);
  const perRun = (high - low) / (HIGH - LOW);
  console.log(
    `\n(b) one worker at ${LATENCY_MS / 1000} s latency: ${LOW} in flight ${mb(low)}, ${int(HIGH)} in flight ${mb(high)}`,
  );
  console.log(
    `    ${(perRun / 1024).toFixed(1)} KB per run in flight (goal ≤ 25 KB); 10,000 would be ~${mb(low + perRun * (10_000 - LOW))} (goal ≤ 350 MB)`,
  );
} finally {
  await redis.stop();
  await rm(dir, { recursive: true, force: true });
}
