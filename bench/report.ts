/**
 * `npm run bench:report`: how long writing a 50,000-row batch's reports takes, and how big its
 * first page is, against a baseline measured in the same run.
 *
 * Setup (not measured): a 50,000-row JSONL manifest (prompts and two metadata keys), run through
 * the real `run` command against the built-in simulator at zero latency with 2 % failures, so
 * Redis holds 50,000 recorded results and DIR/images/ the images.
 *
 * Measured, each twice (the better time kept), all reading the same batch from Redis and the
 * manifest from disk:
 *   baseline   results.jsonl alone: the same streamed lines (manifest + results 500 at a time)
 *              written as JSON lines, nothing else;
 *   reports    every report (results.jsonl/csv with the metadata pass, cost-report.json/md,
 *              report.html + report-pages/), thumbnails off;
 *   + thumbs   the same with WebP thumbnails, none made yet (sharp, the default 5 s budget for
 *              making them), then with a budget of 0: the cost of finding and reusing the
 *              thumbnails already made (one stat of image and thumbnail per image).
 * Then page 1 is opened from file:// in headless Chromium (when /usr/bin/chromium exists): the
 * time to DOMContentLoaded of a second load (the first one warms the browser up).
 * Options (environment): ROWS=50000 CONCURRENCY=200.
 */
import { existsSync } from "node:fs";
import { mkdtemp, readdir, rm, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { writeFile } from "node:fs/promises";
import { runCli } from "../src/cli/program.js";
import { writeReports } from "../src/batch/end/write-reports.js";
import { createBatchRecords } from "../src/ledger/batch-records.js";
import { createResultReader } from "../src/ledger/result-reader.js";
import { batchLines } from "../src/report/batch-lines.js";
import { createRowStore } from "../src/ledger/row-store.js";
import { openLineFile } from "../src/report/line-file.js";
import { benchRedis, REDIS_URL } from "./lib/bench-redis.js";
import { PassThrough } from "node:stream";

const ROWS = Number(process.env.ROWS ?? 50_000);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 200);
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(2)} MB`;
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

async function best<T>(times: number, fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  let result: { ms: number; value: T } | null = null;
  for (let i = 0; i < times; i++) {
    const start = performance.now();
    const value = await fn();
    const ms = performance.now() - start;
    if (!result || ms < result.ms) result = { ms, value };
  }
  return result as { ms: number; value: T };
}

/** Opens page 1 from file:// in Debian's chromium (when installed): time to DOMContentLoaded. */
async function openInChromium(file: string): Promise<{ ms: number; cards: number } | null> {
  if (!existsSync("/usr/bin/chromium")) return null;
  const { chromium } = await import("playwright-core");
  const profile = await mkdtemp(path.join(os.tmpdir(), "rfb-bench-chromium-"));
  const args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run"];
  args.push("--disable-background-networking", "--disable-component-update", "--disable-sync");
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: "/usr/bin/chromium",
    headless: true,
    args,
  });
  try {
    const page = await context.newPage();
    await page.goto(pathToFileURL(file).href, { waitUntil: "domcontentloaded" }); // warms the browser up
    await page.reload({ waitUntil: "domcontentloaded" });
    const timing = await page.evaluate(
      "performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd",
    );
    return { ms: Number(timing), cards: await page.locator(".card").count() };
  } finally {
    await context.close();
    await rm(profile, { recursive: true, force: true });
  }
}

const dir = await mkdtemp(path.join(os.tmpdir(), "rfb-bench-report-"));
const bench = await benchRedis("report");
try {
  const manifest = path.join(dir, "manifest.jsonl");
  const line = (i: number) =>
    JSON.stringify({
      id: `row-${i}`,
      model: "openai/gpt-image-2",
      prompt: `Studio photo of product ${i}, white background, soft shadow`,
      quality: "low",
      metadata: { sku: `SKU-${100_000 + i}`, color: ["red", "blue", "green"][i % 3] },
    });
  await writeFile(manifest, Array.from({ length: ROWS }, (_, i) => line(i)).join("\n") + "\n");
  const out = path.join(dir, "out");
  const sink = new PassThrough();
  let output = "";
  sink.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const count = ROWS.toLocaleString("en-US");
  console.log(`Setup: running ${count} rows through \`run --simulate\` (zero latency, 2 % failures)…`);
  const setupStart = performance.now();
  const env = { REDIS_URL, RUNFLOW_BATCH_PREFIX: bench.prefix, LOG_LEVEL: "error", CI: "1" };
  const args = [
    "run",
    manifest,
    "--out",
    out,
    "--batch",
    "bench",
    "--simulate",
    "--sim-latency",
    "0",
    "--sim-fail-rate",
    "0.02",
  ];
  args.push("--concurrency", String(CONCURRENCY), "--poll-interval", "20");
  const code = await runCli(args, { stdout: sink, stderr: sink, env });
  if (code !== 1 && code !== 0) throw new Error(`run exited ${code}: ${output}`);
  console.log(`Setup done in ${seconds(performance.now() - setupStart)}.`);

  const deps = { redis: bench.redis, keys: bench.keys };
  const record = await createBatchRecords(bench.redis, bench.keys).get("bench");
  if (!record) throw new Error(`the bench batch is not in Redis; run said:\n${output}`);
  const reader = {
    results: createResultReader(bench.redis, bench.keys),
    rowStore: createRowStore(bench.redis, bench.keys),
  };

  const baseline = await best(2, async () => {
    const file = await openLineFile(path.join(dir, "baseline.jsonl"));
    let n = 0;
    for await (const { estimateMicros: _e, costMicros: _c, ...fields } of batchLines(reader, record)) {
      await file.write(JSON.stringify(fields) + "\n");
      n += 1;
    }
    await file.commit();
    return n;
  });
  const reportsOnly = await best(2, () => writeReports(deps, "bench", out, { thumbnails: false }));
  await rm(path.join(out, "thumbs"), { recursive: true, force: true });
  const cold = await best(1, () => writeReports(deps, "bench", out, { thumbnails: true }));
  const reuse = await best(2, () =>
    writeReports(deps, "bench", out, { thumbnails: true, thumbnailBudgetMs: 0 }),
  );

  const first = (await stat(path.join(out, "report.html"))).size;
  const pages = await readdir(path.join(out, "report-pages"));
  let pagesBytes = first;
  for (const page of pages) pagesBytes += (await stat(path.join(out, "report-pages", page))).size;
  const csv = (await stat(path.join(out, "results.csv"))).size;
  const opened = await openInChromium(path.join(out, "report.html"));

  const rowsWritten = baseline.value.toLocaleString("en-US");
  console.log(`\nReports of a ${rowsWritten}-row batch (${record.failed} failed), best of runs:`);
  const rows: [string, string, string][] = [
    ["results.jsonl alone (baseline)", seconds(baseline.ms), "1.00×"],
    [
      "every report, thumbnails off",
      seconds(reportsOnly.ms),
      `${(reportsOnly.ms / baseline.ms).toFixed(2)}×`,
    ],
    [
      `every report + thumbnails, none yet (made ${cold.value.thumbnails.made}, budget 5 s)`,
      seconds(cold.ms),
      `${(cold.ms / baseline.ms).toFixed(2)}×`,
    ],
    [
      `every report + thumbnails, reusing only (${reuse.value.thumbnails.reused} reused, budget 0)`,
      seconds(reuse.ms),
      `${(reuse.ms / baseline.ms).toFixed(2)}×`,
    ],
  ];
  const width = Math.max(...rows.map((r) => r[0].length));
  for (const [name, time, ratio] of rows)
    console.log(`${name.padEnd(width)}  ${time.padStart(8)}  ${ratio.padStart(6)}`);
  const limit = first < 2 * 1024 * 1024 ? "met" : "NOT met";
  console.log(
    `\nreport.html (page 1 of ${pages.length + 1}, 1,000 cards): ${mb(first)} (limit 2 MB: ${limit})`,
  );
  console.log(`all report pages: ${mb(pagesBytes)}; results.csv: ${mb(csv)}`);
  if (opened)
    console.log(
      `report.html in headless Chromium: ${opened.cards} cards, DOMContentLoaded after ${seconds(opened.ms)}`,
    );
  const perSecond = (cold.value.thumbnails.made / 5).toFixed(0);
  console.log(`thumbnails made: ${perSecond} a second (sharp, 2 at a time, 1024×768 PNG → 320 px WebP)`);
} finally {
  await bench.cleanup();
  await rm(dir, { recursive: true, force: true });
}
