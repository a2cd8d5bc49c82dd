/**
 * `npm run bench:submit`: how fast, and in how much memory, `submit` hands a long manifest to
 * Redis, measured against what it is built on in the same run.
 *
 *  baseline  bare BullMQ: Queue.addBulk in chunks of 500 of the manifest's rows as job data (what
 *            the producer did before rows were kept in the ledger), in a Node process of its own.
 *  submit    `runflow-batch submit` (the real CLI, a child process): the one manifest pass
 *            (validate, price, plan, stage the rows in the row store), the record, the balance
 *            check against the simulator, and the first window of jobs.
 *
 * Printed: rows/s of each and their ratio (goal ≥ 0.8), each process's peak RSS (goal ≤ 200 MB for
 * submit), and Redis memory per row after each (used_memory before/after, in a private
 * redis-server started for the bench so nothing else shares its memory). Submit keeps every row
 * in the row store but queues only the window (--max-queued, default 2,000) as jobs.
 *
 * Options (environment): ROWS=200000.
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { buildBinary, RSS_HOOK } from "./lib/binary.js";
import { startSimulatorChild } from "./lib/children.js";
import { privateRedis } from "./lib/private-redis.js";

const ROWS = Number(process.env.ROWS ?? 200_000);
const ROOT = path.resolve(import.meta.dirname, "..");

const mb = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`;
const int = (n: number) => Math.round(n).toLocaleString("en-US");

async function writeManifest(dir: string): Promise<string> {
  const file = path.join(dir, "manifest.jsonl");
  const lines: string[] = [];
  for (let i = 0; i < ROWS; i++)
    lines.push(
      JSON.stringify({
        id: `sku-${i}`,
        model: "openai/gpt-image-2",
        prompt: `Studio photo of product ${i}, white background, soft light`,
        quality: "low",
        "metadata.collection": "autumn",
      }),
    );
  await writeFile(file, lines.join("\n") + "\n");
  return file;
}

/** Runs a Node process, timing it and reading its peak RSS as it exits. */
async function timed(args: readonly string[], env: Record<string, string>) {
  const started = performance.now();
  const child = spawn(process.execPath, ["--import", RSS_HOOK, ...args], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: "warn", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const [code] = (await once(child, "close")) as [number | null];
  const seconds = (performance.now() - started) / 1000;
  if (code !== 0) throw new Error(`${args.join(" ")} exited ${String(code)}:\n${output}`);
  const rssKb = Number(/maxRSS=(\d+)/.exec(output)?.[1]);
  return { seconds, rssBytes: rssKb * 1024, output };
}

/** The baseline: the same rows as BullMQ jobs, added in chunks of 500. */
const BARE = `
import { readFileSync } from "node:fs";
import { Queue } from "bullmq";
const [url, file] = process.argv.slice(1);
const queue = new Queue("bare", { connection: { url, maxRetriesPerRequest: null }, prefix: "{bare}" });
const rows = readFileSync(file, "utf8").trim().split("\\n");
for (let i = 0; i < rows.length; i += 500) {
  const chunk = rows.slice(i, i + 500).map((line) => JSON.parse(line));
  await queue.addBulk(chunk.map((row) => ({ name: row.model, data: { batch: "bare", row }, opts: { jobId: "bare/" + row.id } })));
}
await queue.close();
`;

const dir = await mkdtemp(path.join(os.tmpdir(), "rfb-bench-submit-"));
const redis = await privateRedis(dir);
const sim = await startSimulatorChild(0);
try {
  const manifest = await writeManifest(dir);
  const built = buildBinary();
  const cli = built ? [built.main] : ["--import", "tsx", "src/cli/main.ts"];
  console.log(`bench:submit — ${int(ROWS)} rows; node ${process.version}, ${os.availableParallelism()} CPUs`);
  console.log(
    built ? `compiled binary, node .bench/dist/cli/main.js${built.note}` : "through tsx (the build failed)",
  );
  console.log(`load average (1 min) before: ${os.loadavg()[0]?.toFixed(2)}`);

  await redis.flush();
  const bareBase = await redis.usedMemory();
  // Evaluated from the repository's root, so `bullmq` resolves as the tool's own does.
  const bare = await timed(["--input-type=module", "-e", BARE, redis.url, manifest], {});
  const bareBytes = (await redis.usedMemory()) - bareBase;

  await redis.flush();
  const base = await redis.usedMemory();
  const submit = await timed([...cli, "submit", manifest, "--out", path.join(dir, "out")], {
    REDIS_URL: redis.url,
    RUNFLOW_BASE_URL: sim.url,
    RUNFLOW_API_KEY: "rf_bench_key",
  });
  const ourBytes = (await redis.usedMemory()) - base;
  const queued = /(\d+) queued now/.exec(submit.output)?.[1] ?? "all";

  const bareRate = ROWS / bare.seconds;
  const ourRate = ROWS / submit.seconds;
  console.log("");
  console.log(`                      rows/s      peak RSS   Redis per row`);
  console.log(
    `bare addBulk (500)   ${int(bareRate).padStart(8)}   ${mb(bare.rssBytes).padStart(9)}   ${int(bareBytes / ROWS).padStart(8)} B`,
  );
  console.log(
    `submit               ${int(ourRate).padStart(8)}   ${mb(submit.rssBytes).padStart(9)}   ${int(ourBytes / ROWS).padStart(8)} B  (${queued} rows queued as jobs, all ${int(ROWS)} in the row store)`,
  );
  console.log("");
  console.log(`submit ÷ bare addBulk, rows/s: ${(ourRate / bareRate).toFixed(2)} (goal ≥ 0.8)`);
  console.log(`submit peak RSS: ${mb(submit.rssBytes)} (goal ≤ 200 MB)`);
  console.log(`Redis per row, submit ÷ bare: ${(ourBytes / bareBytes).toFixed(2)} (goal ≤ 1.10)`);
} finally {
  await sim.stop();
  await redis.stop();
  await rm(dir, { recursive: true, force: true });
}
