/**
 * Load test of the Runflow simulator: `npm run bench:simulator`.
 *
 * The simulator runs in a CHILD process (started through the real CLI, `simulator --port 0`), so
 * this load generator does not share its event loop. 10,000 runs are created with 256 requests in
 * flight over keep-alive (undici), then every run is read three times: once while all are still in
 * flight, twice after they succeeded (each GET then signs an output URL; the first pass also warms
 * that code path). A bare node:http server
 * answering a fixed JSON, also in a child process, takes the same load first as the baseline.
 * Options: RUNS=10000 CONCURRENCY=256 (environment).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { Agent, request } from "undici";
import { stopChild } from "./lib/children.js";

const RUNS = Number(process.env.RUNS ?? 10_000);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 256);
const LATENCY = "4000-6000";
const AUTH = { authorization: "Bearer rf_bench", "content-type": "application/json" };
const ROOT = new URL("..", import.meta.url);

const BASELINE_SERVER = `
const http = require("node:http");
const body = JSON.stringify({ id: "0190c4d2-1f2e-7a3b-8c4d-5e6f7a8b9c0d", status_code: "queued", cost: null, output: null });
const server = http.createServer({ keepAliveTimeout: 65000 }, (req, res) => {
  req.resume();
  req.on("end", () => { res.writeHead(req.method === "POST" ? 201 : 200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) }); res.end(body); });
});
server.listen(0, "127.0.0.1", () => console.log("Baseline listening on http://127.0.0.1:" + server.address().port));`;

async function startChild(args: string[]): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "inherit"],
    env: { ...process.env, LOG_LEVEL: "warn" },
  });
  const [line] = (await once(createInterface({ input: child.stdout as NodeJS.ReadableStream }), "line")) as [
    string,
  ];
  const url = /listening on (http:\S+)/.exec(line)?.[1];
  if (!url) throw new Error(`unexpected first line from the child: ${line}`);
  return { child, url };
}

function rssMb(pid: number | undefined): string {
  try {
    const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1]);
    return `${Math.round(kb / 1024)} MB`;
  } catch {
    return "n/a";
  }
}

interface Phase {
  name: string;
  requests: number;
  seconds: number;
  rps: number;
}

/** Sends `count` requests, `CONCURRENCY` at a time; `make(i)` builds request i and checks its answer. */
async function load(name: string, count: number, make: (i: number) => Promise<void>): Promise<Phase> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (let i = next++; i < count; i = next++) await make(i);
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return { name, requests: count, seconds, rps: count / seconds };
}

async function json(
  dispatcher: Agent,
  url: string,
  method: "GET" | "POST",
  body?: string,
  expected = method === "POST" ? 201 : 200,
): Promise<Record<string, unknown>> {
  const res = await request(url, {
    dispatcher,
    method,
    headers: AUTH,
    ...(body === undefined ? {} : { body }),
  });
  const parsed = (await res.body.json()) as Record<string, unknown>;
  if (res.statusCode !== expected)
    throw new Error(`${method} ${url} → ${res.statusCode} ${JSON.stringify(parsed)}`);
  return parsed;
}

async function main(): Promise<void> {
  const dispatcher = new Agent({ connections: CONCURRENCY, keepAliveTimeout: 60_000, pipelining: 1 });
  const body = (i: number) =>
    JSON.stringify({ input: { prompt: `product photo ${i}`, quality: "low" }, client_ref: `row-${i}` });

  const baseline = await startChild(["-e", BASELINE_SERVER]);
  await load("warm-up", 2_000, async () => void (await json(dispatcher, `${baseline.url}/x`, "GET")));
  const basePost = await load(
    "baseline POST",
    RUNS,
    async (i) =>
      void (await json(dispatcher, `${baseline.url}/v1/models/openai/gpt-image-2/runs`, "POST", body(i))),
  );
  const baseGet = await load(
    "baseline GET",
    RUNS,
    async () => void (await json(dispatcher, `${baseline.url}/v1/runs/x`, "GET")),
  );
  await stopChild(baseline.child);

  const sim = await startChild([
    "--import",
    "tsx",
    "src/cli/main.ts",
    "simulator",
    "--port",
    "0",
    "--latency",
    LATENCY,
    "--seed",
    "1",
  ]);
  await load(
    "warm-up",
    2_000,
    async () => void (await json(dispatcher, `${sim.url}/v1/billing/balance`, "GET")),
  );
  const ids: string[] = new Array<string>(RUNS);
  const creates = await load("simulator POST /runs", RUNS, async (i) => {
    ids[i] = (await json(dispatcher, `${sim.url}/v1/models/openai/gpt-image-2/runs`, "POST", body(i), 201))
      .id as string;
  });
  const lastCreate = Date.now();
  const inFlightGets = await load(
    "simulator GET (in flight)",
    RUNS,
    async (i) => void (await json(dispatcher, `${sim.url}/v1/runs/${ids[i]}`, "GET")),
  );
  const held = (await json(dispatcher, `${sim.url}/__simulator/ledger`, "GET")).inFlight as number;
  const rss = rssMb(sim.child.pid);
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, lastCreate + 6_100 - Date.now())));
  let succeeded = 0;
  const doneGets = await load("simulator GET (succeeded, 1)", RUNS, async (i) => {
    const run = await json(dispatcher, `${sim.url}/v1/runs/${ids[i]}`, "GET");
    if (run.status_code === "succeeded" && (run.output as { image_urls: string[] }).image_urls.length === 1)
      succeeded += 1;
  });
  const doneGets2 = await load(
    "simulator GET (succeeded, 2)",
    RUNS,
    async (i) => void (await json(dispatcher, `${sim.url}/v1/runs/${ids[i]}`, "GET")),
  );
  const ledger = await json(dispatcher, `${sim.url}/__simulator/ledger`, "GET");
  await stopChild(sim.child);
  await dispatcher.close();

  const row = (p: Phase, base?: Phase) =>
    `${p.name.padEnd(28)} ${String(p.requests).padStart(7)} ${p.seconds.toFixed(2).padStart(7)} s ${Math.round(p.rps).toString().padStart(8)} req/s${base ? `   ${((p.rps / base.rps) * 100).toFixed(0)} % of baseline` : ""}`;
  console.log(
    `\nRunflow simulator bench: ${RUNS} runs, concurrency ${CONCURRENCY}, keep-alive (undici), simulator and baseline in child processes, latency ${LATENCY} ms`,
  );
  console.log(row(basePost));
  console.log(row(baseGet));
  console.log(row(creates, basePost));
  console.log(row(inFlightGets, baseGet));
  console.log(row(doneGets, baseGet));
  console.log(row(doneGets2, baseGet));
  console.log(`runs in flight held after creating and reading all: ${held} (simulator RSS ${rss})`);
  console.log(
    `runs succeeded on the second read: ${succeeded}/${RUNS}; ledger: ${String(ledger.runsCreated)} runs, $${String(ledger.billedUsd)} billed (expected $${(RUNS * 0.009).toFixed(6)})`,
  );
}

await main();
