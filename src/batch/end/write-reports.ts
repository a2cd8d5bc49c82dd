/**
 * Writes a batch's reports into DIR: results.jsonl, results.csv, cost-report.json,
 * cost-report.md and report.html (with report-pages/ for batches over 1,000 rows, and WebP
 * thumbnails under thumbs/ when sharp is installed). Lines are streamed from the ledger
 * (src/report/batch-lines): the manifest is never read again; its metadata keys, recorded with the
 * rows, head the CSV. Each file appears complete or not at all; a thumbnail that cannot be made
 * only means the card shows the full image.
 */
import path from "node:path";
import type { Redis } from "ioredis";
import { withImagesOnDisk } from "../../outdir/images-on-disk.js";
import type { BatchStore, StoreOpener, StoreView } from "../../outdir/store.js";
import { asStore } from "../../outdir/stores.js";
import { UsageError } from "../../core/errors.js";
import type { ModelId, Quality } from "../../core/models.js";
import { createTally, tallyLine } from "./report-tally.js";
import type { BatchRecord } from "../../ledger/batch-record.js";
import { createBatchRecords } from "../../ledger/batch-records.js";
import { createBudgetHistory } from "../../ledger/budget-history.js";
import { createResultReader } from "../../ledger/result-reader.js";
import { createRowStore } from "../../ledger/row-store.js";
import { pricesJson } from "../../pricing/prices-file.js";
import type { Keys } from "../../ledger/keys.js";
import { batchLines, hasLineage, metadataKeys, type LinesStore } from "../../report/batch-lines.js";
import { createFinalsStore } from "../../ledger/finals.js";
import { createPicksStore } from "../../ledger/picks.js";
import { readLineageView } from "./lineage-view.js";
import { budgetHistoryEntries } from "../../report/budget-view.js";
import { costReportJson, costReportMarkdown, type CostReportInput } from "../../report/cost-report.js";
import { between } from "../../core/duration.js";
import { headerFromReport, type HeaderFailure } from "../../report/html/header.js";
import { openHtmlReport, type HtmlExtras, type HtmlReport } from "../../report/html-writer.js";
import type { LineFile } from "../../report/line-file.js";
import { csvHeader, csvLine, csvStyleFor, type ResultLine } from "../../report/result-lines.js";
import { createThumbnailer, type Thumbnailer } from "../../report/thumbnails.js";

export interface WrittenReports {
  readonly input: CostReportInput;
  readonly files: readonly string[];
  readonly thumbnails: ReturnType<Thumbnailer["stats"]>;
}

export interface ReportOptions {
  readonly now?: () => Date;
  /** Make thumbnails with sharp when it is installed (default true). */
  readonly thumbnails?: boolean;
  /** Time spent making new thumbnails (default 5,000 ms; existing ones are always reused). */
  readonly thumbnailBudgetMs?: number;
  readonly onThumbnailError?: (image: string, error: unknown) => void;
}

const LINES_PER_CHUNK = 500;

/** Where the batch is read from: its record, results and budget history in Redis. */
export interface ReportDeps {
  readonly redis: Redis;
  readonly keys: Keys;
  /** Opens the batch's directory (an S3 prefix needs it); default: local paths only. */
  readonly stores?: StoreOpener;
}

export async function writeReports(
  deps: ReportDeps,
  batchId: string,
  outDir: string | BatchStore,
  options: ReportOptions = {},
): Promise<WrittenReports> {
  const now = options.now ?? (() => new Date());
  const record = await createBatchRecords(deps.redis, deps.keys).get(batchId);
  const store: LinesStore = {
    results: createResultReader(deps.redis, deps.keys),
    rowStore: createRowStore(deps.redis, deps.keys),
  };
  if (!record)
    throw new UsageError(`no batch "${batchId}" in Redis; list batches with \`runflow-batch status\``);
  const dir = typeof outDir === "string" ? (deps.stores?.open(outDir) ?? asStore(outDir)) : outDir;
  await dir.makeDir();
  // One view of the directory for the whole report: one listing per folder in object storage.
  const view = dir.view();
  const thumbs = createThumbnailer(dir, {
    view,
    enabled: options.thumbnails ?? true,
    ...(options.thumbnailBudgetMs === undefined ? {} : { budgetMs: options.thumbnailBudgetMs }),
    onError: options.onThumbnailError,
  });
  const files = [
    await dir.openLineFile("results.jsonl"),
    await dir.openLineFile("results.csv"),
    await dir.openLineFile("cost-report.json"),
    await dir.openLineFile("cost-report.md"),
  ] as const;
  const extras = await pageExtras(deps, record, dir.location);
  const html = await openHtmlReport(dir, (image) => thumbs.thumbFor(image), undefined, extras);
  const [jsonl, csv, json, md] = files;
  try {
    const events = await createBudgetHistory(deps.redis, deps.keys).read(batchId);
    const { input, failures } = await writeResults(store, record, { view, jsonl, csv, html, thumbs }, now);
    const budgetHistory = budgetHistoryEntries(events, {
      stoppedByCap: record.state === "budget" || (record.budgetBlocked && input.remaining.rows > 0),
      capMicros: record.capMicros,
      spentMicros: record.spentMicros,
    });
    const full = { ...input, budgetHistory };
    await json.write(JSON.stringify(costReportJson(full), null, 2) + "\n");
    await md.write(costReportMarkdown(full));
    for (const file of files) await file.commit();
    const pages = await html.finish(headerFromReport(full, record.inFlight, failures));
    const names = ["results.jsonl", "results.csv", "cost-report.json", "cost-report.md", ...pages];
    return { input: full, files: names.map((name) => dir.where(name)), thumbnails: thumbs.stats() };
  } catch (error) {
    await Promise.all([...files.map((file) => file.discard()), html.discard()]);
    throw error;
  }
}

/** report.html's picks start from those stored on the batch; drafts and finals link to each other. */
async function pageExtras(deps: ReportDeps, record: BatchRecord, here: string): Promise<HtmlExtras> {
  const lineageDeps = {
    batches: createBatchRecords(deps.redis, deps.keys),
    results: createResultReader(deps.redis, deps.keys),
    rowStore: createRowStore(deps.redis, deps.keys),
    finals: createFinalsStore(deps.redis, deps.keys),
  };
  // Another batch's image, relative to this directory: report.html links to it from file:// too.
  const relative = (_batch: string, dir: string, file: string) =>
    path.posix.relative(here.split(path.sep).join("/"), `${dir.split(path.sep).join("/")}/${file}`);
  return {
    picks: { mode: "local", initial: await createPicksStore(deps.redis, deps.keys).list(record.id) },
    lineage: await readLineageView(lineageDeps, record, relative),
  };
}

interface Sinks {
  readonly view: StoreView;
  readonly jsonl: LineFile;
  readonly csv: LineFile;
  readonly html: HtmlReport;
  readonly thumbs: Thumbnailer;
}

async function writeResults(
  store: LinesStore,
  record: BatchRecord,
  sinks: Sinks,
  now: () => Date,
): Promise<{ input: Omit<CostReportInput, "budgetHistory">; failures: HeaderFailure[] }> {
  const prices = record.submission.prices;
  const keys = await metadataKeys(store, record);
  const style = csvStyleFor(record.submission.manifest);
  const lineage = await hasLineage(store.rowStore, record.id); // finals: draft_* columns
  await sinks.csv.write(csvHeader(keys, style, lineage));
  const t = createTally();
  const { acc, remaining, failures } = t;
  let index = 0;
  let chunk: ResultLine[] = [];

  const flush = async () => {
    // Thumbnails first, so each card knows whether its thumbnail exists.
    await sinks.thumbs.prepare(chunk.flatMap((line) => (line.status === "succeeded" ? line.images : [])));
    for (const line of chunk) await sinks.html.add(line);
    chunk = [];
  };
  // Only files that are in the directory are listed (outdir/images-on-disk.ts).
  for await (const line of withImagesOnDisk(batchLines(store, record), sinks.view)) {
    const { estimateMicros, costMicros, ...fields } = line;
    await sinks.jsonl.write(JSON.stringify(fields) + "\n");
    await sinks.csv.write(csvLine(fields, keys, style, lineage));
    tallyLine(t, fields, estimateMicros, costMicros, index);
    chunk.push(fields);
    index += 1;
    if (fields.status !== "removed" && chunk.length >= LINES_PER_CHUNK) await flush();
  }
  await flush();
  // Earlier attempts of rows that ran again were paid for: they stay in the cost figures.
  for await (const earlier of store.results.scanHistory(record.id)) {
    const model = earlier.model as ModelId;
    acc.addSpent({ model, quality: earlier.quality as Quality | null, actualMicros: earlier.cost_micros });
  }

  const generatedAt = now();
  const startedAt = record.startedAt || null;
  const finishedAt = remaining.rows === 0 && index > 0 ? t.lastFinished : null;
  return {
    input: {
      batch: record.id,
      manifest: record.submission.manifest.path,
      generatedAt,
      summary: acc.summary(),
      prices: pricesJson(prices),
      state: record.state,
      capMicros: record.capMicros,
      reservedMicros: record.reservedMicros,
      remaining,
      startedAt,
      finishedAt,
      durationMs: between(startedAt, finishedAt ?? generatedAt.toISOString()),
      failures: { total: t.failedTotal, listed: failures.map(({ id, reason }) => ({ id, reason })) },
    },
    failures,
  };
}
