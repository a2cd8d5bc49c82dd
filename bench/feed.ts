/**
 * `npm run bench:feed`: is `estimate FEED --recipe FILE` as fast and as lean as `estimate` of the
 * equivalent plain manifest?
 *
 * In one run it:
 *   1. writes a 200,000-row Merchant-Center-like feed (id, title, description with HTML, link,
 *      image_link, brand, color, size, gtin; some colours empty) and a recipe with one job per
 *      row (Liquid: filters, an {% if %}, metadata), and the equivalent plain manifest — the
 *      same 200,000 rows as they render (id, model, prompt, quality, image_urls, metadata.gtin) —
 *      to .bench/;
 *   2. times the estimate pass (pricing/scan.ts) over each, in this process, alternating, best of
 *      three rounds each; the two must give the same rows and the same total;
 *   3. runs the real `estimate` command over each in child processes, alternating, best of three
 *      rounds each — the compiled binary (tsc into .bench/dist, as bench/estimate.ts does), else
 *      through tsx — and reads their peak RSS.
 * Targets: the feed at ≥ 0.7 × the rows/s of the plain manifest; peak RSS of estimating the feed
 * ≤ 200 MB.
 *
 * Options: --rows N (default 200,000), --keep (reuse existing files of that size).
 */
import { buildBinary, RSS_HOOK } from "./lib/binary.js";
import { writeLines } from "./lib/write-lines.js";
import { spawnSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { scanManifest } from "../src/pricing/scan.js";
import type { ManifestSource } from "../src/manifest/source.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const COLOURS = ["Navy", "Sand", "Forest", "", "Charcoal", "Rust", ""];
const SIZES = ["XS", "S", "M", "L", "XL"];

const RECIPE = `# bench/feed.ts: one hero edit per product
id: "{{ row.id }}"
metadata:
  gtin: "{{ row.gtin }}"
jobs:
  - name: hero
    model: openai/gpt-image-2/edit
    quality: low
    image_urls: ["{{ row.image_link }}"]
    prompt: >-
      Studio photo of the {{ row.title }} by {{ row.brand }}{% if row.color %} in {{ row.color | downcase }}{% endif %},
      size {{ row.size }}, on a white background, soft shadow
`;

function feedRow(i: number): { cells: string[]; prompt: string } {
  const colour = COLOURS[i % COLOURS.length] as string;
  const size = SIZES[i % SIZES.length] as string;
  const title = `Organic Cotton Tee ${i}`;
  const cells = [
    `NW-${i}`,
    title,
    `"<p>A heavyweight tee, <b>style ${i % 97}</b>, relaxed fit.</p>"`,
    `https://northwind.example/products/tee-${i}`,
    `https://cdn.northwind.example/tee-${i}.jpg`,
    "Northwind",
    colour,
    size,
    String(4012345000000 + i),
  ];
  const prompt =
    `Studio photo of the ${title} by Northwind${colour ? ` in ${colour.toLowerCase()}` : ""}, ` +
    `size ${size}, on a white background, soft shadow`;
  return { cells, prompt };
}

async function generate(dir: string, rows: number) {
  await mkdir(dir, { recursive: true });
  const feed = join(dir, `feed-${rows}.csv`);
  const manifest = join(dir, `feed-${rows}-rendered.csv`);
  const recipe = join(dir, "feed.recipe.yaml");
  await writeFile(recipe, RECIPE);
  await writeLines(
    feed,
    "id,title,description,link,image_link,brand,color,size,gtin\n",
    rows,
    (i) => `${feedRow(i).cells.join(",")}\n`,
  );
  await writeLines(manifest, "id,model,prompt,quality,image_urls,metadata.gtin\n", rows, (i) => {
    const { prompt } = feedRow(i);
    return `NW-${i}-hero,openai/gpt-image-2/edit,"${prompt}",low,https://cdn.northwind.example/tee-${i}.jpg,${4012345000000 + i}\n`;
  });
  return { feed, manifest, recipe };
}

async function timed(source: ManifestSource, rows: number) {
  const start = process.hrtime.bigint();
  const scan = await scanManifest(source);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (scan.validRows !== rows)
    throw new Error(
      `${source.path}: ${scan.validRows} valid rows of ${rows}: ${scan.problems[0]?.message ?? ""}`,
    );
  return { rate: rows / seconds, micros: scan.cost.estimatedMicros };
}

function estimateInChild(binary: string | null, args: readonly string[]) {
  const start = process.hrtime.bigint();
  const entry = binary ? [binary] : ["--import", "tsx", join(ROOT, "src/cli/main.ts")];
  const result = spawnSync(
    process.execPath,
    ["--import", RSS_HOOK, ...entry, "estimate", ...args, "--format", "json"],
    { cwd: ROOT, encoding: "utf8", maxBuffer: 64 * 1024 * 1024, env: { ...process.env, LOG_LEVEL: "warn" } },
  );
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const match = /maxRSS=(\d+)/.exec(result.stderr);
  if (result.status !== 0 || !match)
    throw new Error(`estimate failed (status ${result.status}): ${result.stderr}`);
  return { seconds, rssMb: Number(match[1]) / 1024 };
}

const fmt = (n: number) => Math.round(n).toLocaleString("en-US");

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const rowsArg = args.indexOf("--rows");
  const rows = rowsArg === -1 ? 200_000 : Number(args[rowsArg + 1]);
  const dir = join(ROOT, ".bench");
  const files = {
    feed: join(dir, `feed-${rows}.csv`),
    manifest: join(dir, `feed-${rows}-rendered.csv`),
    recipe: join(dir, "feed.recipe.yaml"),
  };
  if (!(args.includes("--keep") && existsSync(files.feed) && existsSync(files.manifest))) {
    await generate(dir, rows);
    const mb = (file: string) => (statSync(file).size / 1e6).toFixed(1);
    console.log(
      `generated ${fmt(rows)} feed rows (${mb(files.feed)} MB) and the plain manifest (${mb(files.manifest)} MB)`,
    );
  }
  const feedSource = { path: files.feed, recipe: files.recipe };
  const plainSource = { path: files.manifest };

  const feedRates: number[] = [];
  const plainRates: number[] = [];
  for (let round = 0; round < 3; round++) {
    const plain = await timed(plainSource, rows);
    const feed = await timed(feedSource, rows);
    if (plain.micros !== feed.micros)
      throw new Error(`totals differ: feed ${feed.micros}, manifest ${plain.micros} µ$`);
    plainRates.push(plain.rate);
    feedRates.push(feed.rate);
  }
  const plainBest = Math.max(...plainRates);
  const feedBest = Math.max(...feedRates);
  const ratio = feedBest / plainBest;

  const built = buildBinary();
  const binary = built?.main ?? null;
  const how = built
    ? `compiled binary, node .bench/dist/cli/main.js${built.note}`
    : "through tsx (the build failed)";
  const feedRuns: { seconds: number; rssMb: number }[] = [];
  const plainRuns: { seconds: number; rssMb: number }[] = [];
  for (let round = 0; round < 3; round++) {
    plainRuns.push(estimateInChild(binary, [files.manifest]));
    feedRuns.push(estimateInChild(binary, [files.feed, "--recipe", files.recipe]));
  }
  const best = (runs: { seconds: number }[]) => Math.min(...runs.map((run) => run.seconds));
  const feedChild = { seconds: best(feedRuns), rssMb: Math.max(...feedRuns.map((run) => run.rssMb)) };
  const plainChild = { seconds: best(plainRuns), rssMb: Math.max(...plainRuns.map((run) => run.rssMb)) };
  const commandRatio = plainChild.seconds / feedChild.seconds;

  console.log("");
  console.log(
    `estimate, plain manifest   ${fmt(plainBest).padStart(9)} rows/s   (rounds: ${plainRates.map(fmt).join(", ")})`,
  );
  console.log(
    `estimate, feed + recipe    ${fmt(feedBest).padStart(9)} rows/s   (rounds: ${feedRates.map(fmt).join(", ")})`,
  );
  console.log(
    `ratio (estimate pass)      ${ratio.toFixed(2).padStart(9)}          target ≥ 0.70  ${ratio >= 0.7 ? "OK" : "MISSED"}`,
  );
  const rounds = (runs: { seconds: number; rssMb: number }[]) =>
    runs.map((run) => `${run.seconds.toFixed(2)} s ${run.rssMb.toFixed(0)} MB`).join(", ");
  console.log(`estimate command (${how}), best of 3, peak RSS the highest of 3:`);
  console.log(
    `  plain manifest           ${plainChild.seconds.toFixed(2).padStart(9)} s, peak RSS ${plainChild.rssMb.toFixed(0)} MB   (rounds: ${rounds(plainRuns)})`,
  );
  console.log(
    `  feed + recipe            ${feedChild.seconds.toFixed(2).padStart(9)} s, peak RSS ${feedChild.rssMb.toFixed(0)} MB   (rounds: ${rounds(feedRuns)})`,
  );
  console.log(
    `  speed ratio              ${commandRatio.toFixed(2).padStart(9)}          target ≥ 0.70  ${commandRatio >= 0.7 ? "OK" : "MISSED"}`,
  );
  console.log(
    `  peak RSS, feed           ${feedChild.rssMb.toFixed(0).padStart(9)} MB       target ≤ 200 MB  ${feedChild.rssMb <= 200 ? "OK" : "MISSED"}`,
  );
}

await main();
