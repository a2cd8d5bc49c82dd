/**
 * Writes a batch's reports into DIR: results.jsonl, results.csv, cost-report.json,
 * cost-report.md. When the manifest is still here and unchanged, rows come out in manifest order
 * with pending and budget-held rows listed too (streamed; results looked up 500 at a time);
 * otherwise the recorded results are listed as stored. Each file appears complete or not at all.
 */
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { UsageError } from "../../core/errors.js";
import type { ManifestSource } from "../../manifest/source.js";
import type { JobRow } from "../../manifest/types.js";
import { pricedRows } from "../../pricing/priced-rows.js";
import { pricesJson } from "../../pricing/prices-file.js";
import type { PriceTable } from "../../pricing/table.js";
import { manifestSha256 } from "../../ledger/batch-id.js";
import type { BatchRecord, BatchStore } from "../../ledger/batch-store.js";
import type { StoredResult } from "../../queue/job-data.js";
import { costReportJson, costReportMarkdown, type CostReportInput } from "../../report/cost-report.js";
import { openLineFile, type LineFile } from "../../report/line-file.js";
import { CSV_COLUMNS, csvLine, lineFromResult, pendingLine, type ResultLine } from "../../report/result-lines.js";
import { createCostAccumulator } from "../../pricing/totals.js";
import type { ModelId, Quality } from "../../core/models.js";

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
    // HSCAN may return an entry twice while the hash grows: count each row once.
    const seen = new Set<string>();
    for await (const [row, json] of store.scanResults(record.id)) {
      if (seen.has(row)) continue;
      seen.add(row);
      yield fromResult(JSON.parse(json) as StoredResult);
    }
    return;
  }
  const held = new Set(await store.heldRows(record.id));
  let chunk: { row: JobRow; estimate: number }[] = [];
  async function* flush() {
    const keys = chunk.map((c) => c.row.key);
    const [results, runIds] = await Promise.all([store.results(record.id, keys), store.runIds(record.id, keys)]);
    for (const [i, { row, estimate }] of chunk.entries()) {
      const json = results[i];
      if (json) yield fromResult(JSON.parse(json) as StoredResult);
      else {
        yield { ...pendingLine(row, estimate, held.has(row.key) || (record.budgetBlocked && !runIds[i]), runIds[i] ?? null), estimateMicros: estimate, costMicros: 0 };
      }
    }
    chunk = [];
  }
  const source: ManifestSource = { ...(JSON.parse(record.manifestOptionsJson) as object), path: record.manifest };
  // Rows without a price were skipped by --skip-invalid; pricedRows reports them as problems.
  for await (const item of pricedRows(source, prices)) {
    if (!item.ok) continue;
    chunk.push({ row: item.row, estimate: item.estimateMicros });
    if (chunk.length >= 500) yield* flush();
  }
  yield* flush();
}

export async function writeReports(store: BatchStore, batchId: string, outDir: string, now: () => Date = () => new Date()): Promise<WrittenReports> {
  const record = await store.get(batchId);
  if (!record) throw new UsageError(`no batch "${batchId}" in Redis; list batches with \`runflow-batch status\``);
  const prices = JSON.parse(record.pricesJson) as PriceTable;
  await mkdir(outDir, { recursive: true });
  const target = (name: string) => path.join(outDir, name);
  const files = [await openLineFile(target("results.jsonl")), await openLineFile(target("results.csv")), await openLineFile(target("cost-report.json")), await openLineFile(target("cost-report.md"))] as const;
  const [jsonl, csv, json, md] = files;
  try {
    const input = await writeResults(store, record, prices, jsonl, csv, now);
    await json.write(JSON.stringify(costReportJson(input), null, 2) + "\n");
    await md.write(costReportMarkdown(input));
    for (const file of files) await file.commit();
    return { input, files: ["results.jsonl", "results.csv", "cost-report.json", "cost-report.md"].map(target) };
  } catch (error) {
    await Promise.all(files.map((file) => file.discard()));
    throw error;
  }
}

async function writeResults(store: BatchStore, record: BatchRecord, prices: PriceTable, jsonl: LineFile, csv: LineFile, now: () => Date): Promise<CostReportInput> {
  await csv.write(CSV_COLUMNS.join(",") + "\n");
  const acc = createCostAccumulator();
  const remaining = { rows: 0, held: 0, estimatedMicros: 0 };
  for await (const line of reportLines(store, record, prices)) {
    const { estimateMicros, costMicros, ...fields } = line;
    await jsonl.write(JSON.stringify(fields) + "\n");
    await csv.write(csvLine(fields));
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
  return {
    batch: record.id,
    generatedAt: now(),
    summary: acc.summary(),
    prices: pricesJson(prices),
    state: record.state,
    capMicros: record.capMicros,
    reservedMicros: record.reservedMicros,
    remaining,
  };
}
