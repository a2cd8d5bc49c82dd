/**
 * Writes a batch's reports into DIR: results.jsonl, results.csv, cost-report.json,
 * cost-report.md. When the manifest is still here and unchanged, rows come out in manifest order
 * with pending and budget-held rows listed too (streamed; results looked up 500 at a time);
 * otherwise the recorded results are listed as stored. Each file appears complete or not at all.
 */
import { createWriteStream } from "node:fs";
import { mkdir, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import { once } from "node:events";
import { UsageError } from "../errors.js";
import { streamManifest } from "../manifest/index.js";
import type { JobRow } from "../manifest/types.js";
import { priceRow } from "../pricing/price-row.js";
import { pricesJson } from "../pricing/prices-file.js";
import type { PriceTable } from "../pricing/table.js";
import { manifestSha256 } from "../queue/batch-id.js";
import type { BatchRecord, BatchStore } from "../queue/batch-store.js";
import type { StoredResult } from "../queue/job-data.js";
import { costReportJson, costReportMarkdown, type CostReportInput } from "./cost-report.js";
import { CSV_COLUMNS, csvLine, lineFromResult, pendingLine, type ResultLine } from "./result-lines.js";
import { createCostAccumulator } from "./totals.js";
import type { ModelId, Quality } from "../runflow/models.js";

export interface WrittenReports {
  readonly input: CostReportInput;
  readonly files: readonly string[];
}

async function manifestUsable(record: BatchRecord): Promise<boolean> {
  try {
    return (await manifestSha256(record.manifest)) === record.manifestSha256;
  } catch {
    return false;
  }
}

/** Yields every line of the batch, with its estimate, for the accumulator and the files. */
async function* reportLines(store: BatchStore, record: BatchRecord, prices: PriceTable): AsyncIterable<ResultLine & { estimateMicros: number; costMicros: number }> {
  const fromResult = (r: StoredResult) => ({ ...lineFromResult(r), estimateMicros: r.estimated_micros, costMicros: r.cost_micros });
  if (!(await manifestUsable(record))) {
    for await (const [, json] of store.scanResults(record.id)) yield fromResult(JSON.parse(json) as StoredResult);
    return;
  }
  const held = new Set(await store.heldRows(record.id));
  let chunk: JobRow[] = [];
  async function* flush() {
    const keys = chunk.map((r) => r.key);
    const [results, runIds] = await Promise.all([store.results(record.id, keys), store.runIds(record.id, keys)]);
    for (const [i, row] of chunk.entries()) {
      const json = results[i];
      if (json) yield fromResult(JSON.parse(json) as StoredResult);
      else {
        const estimate = priceRow(prices, row);
        yield { ...pendingLine(row, estimate, held.has(row.key) || (record.budgetBlocked && !runIds[i]), runIds[i] ?? null), estimateMicros: estimate, costMicros: 0 };
      }
    }
    chunk = [];
  }
  for await (const item of streamManifest(record.manifest, JSON.parse(record.manifestOptionsJson) as object)) {
    if (!item.ok) continue;
    chunk.push(item.row);
    if (chunk.length >= 500) yield* flush();
  }
  yield* flush();
}

async function writeLine(stream: NodeJS.WritableStream, text: string): Promise<void> {
  if (!stream.write(text)) await once(stream, "drain");
}

export async function writeReports(store: BatchStore, batchId: string, outDir: string, now: () => Date = () => new Date()): Promise<WrittenReports> {
  const record = await store.get(batchId);
  if (!record) throw new UsageError(`no batch "${batchId}" in Redis; list batches with \`runflow-batch status\``);
  const prices = JSON.parse(record.pricesJson) as PriceTable;
  await mkdir(outDir, { recursive: true });
  const target = (name: string) => path.join(outDir, name);
  const jsonl = createWriteStream(target("results.jsonl.tmp"));
  const csv = createWriteStream(target("results.csv.tmp"));
  await writeLine(csv, CSV_COLUMNS.join(",") + "\n");
  const acc = createCostAccumulator();
  const remaining = { rows: 0, held: 0, estimatedMicros: 0 };
  for await (const line of reportLines(store, record, prices)) {
    const { estimateMicros, costMicros, ...fields } = line;
    await writeLine(jsonl, JSON.stringify(fields) + "\n");
    await writeLine(csv, csvLine(fields));
    const done = fields.status === "succeeded" || fields.status === "failed";
    acc.add({
      model: fields.model as ModelId,
      quality: fields.quality as Quality | null,
      images: fields.images.length,
      estimatedMicros: estimateMicros,
      status: done ? (fields.status as "succeeded" | "failed") : "pending",
      actualMicros: done ? costMicros : null,
    });
    if (!done) {
      remaining.rows += 1;
      remaining.estimatedMicros += estimateMicros;
      if (fields.status === "held") remaining.held += 1;
    }
  }
  await Promise.all([new Promise((r) => jsonl.end(r)), new Promise((r) => csv.end(r))]);
  const input: CostReportInput = {
    batch: record.id,
    generatedAt: now(),
    summary: acc.summary(),
    prices: pricesJson(prices),
    state: record.state,
    capMicros: record.capMicros,
    reservedMicros: record.reservedMicros,
    remaining,
  };
  await writeFile(target("cost-report.json.tmp"), JSON.stringify(costReportJson(input), null, 2) + "\n");
  await writeFile(target("cost-report.md.tmp"), costReportMarkdown(input));
  const files = ["results.jsonl", "results.csv", "cost-report.json", "cost-report.md"];
  for (const file of files) await rename(target(`${file}.tmp`), target(file));
  return { input, files: files.map(target) };
}
