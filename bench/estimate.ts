/**
 * `npm run bench:estimate`: how fast and how lean is `estimate` on a 1,000,000-row CSV?
 *
 * In one run it:
 *   1. writes the CSV (mixed models and tiers, ids, quoted prompts with commas) to .bench/;
 *   2. times bare csv-parse streaming over it (the floor: read + parse, nothing else);
 *   3. times scanManifest over it (read + parse + validate + key check + price + totals). A CSV
 *      this big is parsed in a worker thread (readers/csv-worker.ts), so parsing overlaps
 *      validation on a machine with two cores; for comparison it is also timed with the parser
 *      on the main thread (informational: the target is on the default path);
 *   4. runs the real `estimate` command in a child process and reads its peak RSS: the compiled
 *      binary (built into .bench/dist with tsconfig.build.json) when it builds, else through tsx.
 * Targets: estimate ≥ 0.7 × the rows/s of bare csv-parse; peak RSS ≤ 200 MB.
 *
 * Options: --rows N (default 1,000,000), --keep (reuse an existing file of that size).
 */
import { buildBinary, RSS_HOOK } from "./lib/binary.js";
import { writeLines } from "./lib/write-lines.js";
import { spawnSync } from "node:child_process";
import { createReadStream, existsSync, statSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { dirname, join } from "node:path";
import { Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import { parse } from "csv-parse";
import { scanManifest } from "../src/pricing/scan.js";
import { CSV_PARSE_OPTIONS } from "../src/manifest/readers/csv-records.js";
import { runCli } from "../src/cli/program.js";

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, "..");

const HEADER =
  "id,model,prompt,quality,num_images,image_size,output_format,image_urls,image_url,aspect_ratio,resolution,metadata.sku\n";
function csvRow(i: number): string {
  const sku = `SKU-${(i % 5000).toString().padStart(5, "0")}`;
  const tier = ["low", "medium", "high"][i % 3];
  switch (i % 10) {
    case 0:
    case 1:
    case 2:
    case 3:
      return `item-${i},openai/gpt-image-2,"Studio photo of product ${i}, white background, soft shadow",${tier},${(i % 4) + 1},1024x768,png,,,,,${sku}\n`;
    case 4:
    case 5:
      return `item-${i},openai/gpt-image-2/edit,Change the colour of product ${i} to navy,${tier},1,auto,jpeg,https://example.com/in/${i}.png|https://example.com/bg.png,,,,${sku}\n`;
    case 6:
    case 7:
      return `item-${i},openai/gpt-image-1.5,"Product ${i} on a marble counter, morning light",${tier},2,1024x1024,webp,,,,,${sku}\n`;
    case 8:
      return `item-${i},runflow/tag-removal,,,,,,,https://example.com/raw/${i}.jpg,4:3,,${sku}\n`;
    default:
      return `item-${i},runflow/product-isolation,,,,,,,https://example.com/raw/${i}.jpg,1:1,2K,${sku}\n`;
  }
}

async function generate(file: string, rows: number): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await writeLines(file, HEADER, rows, csvRow);
}

async function bareCsvParse(file: string): Promise<number> {
  let records = 0;
  // The reader's own csv-parse options (src/manifest/readers/csv.ts), so the floor is like for like.
  for await (const _record of createReadStream(file).pipe(parse(CSV_PARSE_OPTIONS))) records++;
  return records - 1; // header
}

async function timed<T>(run: () => Promise<T>): Promise<{ value: T; seconds: number }> {
  const start = process.hrtime.bigint();
  const value = await run();
  return { value, seconds: Number(process.hrtime.bigint() - start) / 1e9 };
}

/** Child mode: run the real `estimate` command, then report peak RSS (kB, as resourceUsage gives it). */
async function child(file: string): Promise<void> {
  const sink = new Writable({ write: (_chunk, _encoding, done) => done() });
  const start = process.hrtime.bigint();
  const code =
    file === ""
      ? 0
      : await runCli(["estimate", file, "--format", "json"], {
          stdout: sink,
          stderr: process.stderr,
          env: {},
        });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  process.stdout.write(`${JSON.stringify({ code, seconds, maxRssKb: process.resourceUsage().maxRSS })}\n`);
}

interface ChildResult {
  code: number;
  seconds: number;
  maxRssKb: number;
}

function runBinary(main: string, args: readonly string[]): ChildResult {
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, ["--import", RSS_HOOK, main, ...args], {
    cwd: ROOT,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const match = /maxRSS=(\d+)/.exec(result.stderr);
  if (!match) throw new Error(`estimate binary failed (status ${result.status}): ${result.stderr}`);
  return { code: result.status ?? 1, seconds, maxRssKb: Number(match[1]) };
}

function runChild(file: string): ChildResult {
  const result = spawnSync(
    process.execPath,
    ["--import", "tsx", fileURLToPath(import.meta.url), "--child", file],
    { cwd: ROOT, encoding: "utf8" },
  );
  const last = result.stdout.trim().split("\n").at(-1) ?? "";
  try {
    return JSON.parse(last) as ChildResult;
  } catch {
    throw new Error(`child estimate failed (status ${result.status}): ${result.stderr}`);
  }
}

const fmt = (n: number) => Math.round(n).toLocaleString("en-US");

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === "--child") return child(args[1] ?? "");
  const rowsArg = args.indexOf("--rows");
  const rows = rowsArg === -1 ? 1_000_000 : Number(args[rowsArg + 1]);
  const file = join(ROOT, ".bench", `estimate-${rows}.csv`);
  if (!(args.includes("--keep") && existsSync(file))) {
    const generated = await timed(() => generate(file, rows));
    console.log(
      `generated ${fmt(rows)} rows (${(statSync(file).size / 1e6).toFixed(1)} MB) in ${generated.seconds.toFixed(1)} s: ${file}`,
    );
  }

  // Two rounds each, alternating; the best round counts (the first also warms the JIT).
  const bare: number[] = [];
  const scan: number[] = [];
  const inThread: number[] = [];
  for (let round = 0; round < 2; round++) {
    const b = await timed(() => bareCsvParse(file));
    if (b.value !== rows) throw new Error(`bare csv-parse read ${b.value} rows, expected ${rows}`);
    bare.push(rows / b.seconds);
    const s = await timed(() => scanManifest({ path: file }));
    if (s.value.validRows !== rows)
      throw new Error(
        `scanManifest found ${s.value.validRows} valid rows of ${rows}: ${s.value.problems[0]?.message ?? ""}`,
      );
    scan.push(rows / s.seconds);
    const t = await timed(() => scanManifest({ path: file, csvWorker: false }));
    if (t.value.validRows !== rows)
      throw new Error(`scanManifest (in-thread parser) found ${t.value.validRows} valid rows of ${rows}`);
    inThread.push(rows / t.seconds);
  }
  const bareBest = Math.max(...bare);
  const scanBest = Math.max(...scan);
  const ratio = scanBest / bareBest;

  const binary = buildBinary()?.main ?? null;
  const how = binary ? "compiled binary, node .bench/dist/cli/main.js" : "through tsx (the build failed)";
  const idle = binary ? runBinary(binary, ["--version"]) : runChild("");
  const estimate = binary ? runBinary(binary, ["estimate", file, "--format", "json"]) : runChild(file);
  if (estimate.code !== 0) throw new Error(`estimate exited ${estimate.code}`);
  const peakMb = estimate.maxRssKb / 1024;

  console.log("");
  console.log(
    `bare csv-parse         ${fmt(bareBest).padStart(10)} rows/s   (rounds: ${bare.map(fmt).join(", ")})`,
  );
  console.log(
    `estimate (scan)        ${fmt(scanBest).padStart(10)} rows/s   (rounds: ${scan.map(fmt).join(", ")})`,
  );
  console.log(
    `ratio                  ${ratio.toFixed(2).padStart(10)}          target ≥ 0.70  ${ratio >= 0.7 ? "OK" : "MISSED"}`,
  );
  const inThreadBest = Math.max(...inThread);
  console.log(
    `  (parser on the main thread: ${fmt(inThreadBest)} rows/s, ratio ${(inThreadBest / bareBest).toFixed(2)}; rounds: ${inThread.map(fmt).join(", ")})`,
  );
  console.log(
    `estimate command       ${estimate.seconds.toFixed(1).padStart(10)} s        (child process, ${how}, ${fmt(rows / estimate.seconds)} rows/s end to end)`,
  );
  console.log(
    `peak RSS of estimate   ${peakMb.toFixed(0).padStart(10)} MB       target ≤ 200 MB  ${peakMb <= 200 ? "OK" : "MISSED"}  (the same binary printing --version: ${(idle.maxRssKb / 1024).toFixed(0)} MB)`,
  );
}

await main();
