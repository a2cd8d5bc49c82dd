/**
 * Reading a batch's lines for the reports and the dashboard (an I/O edge: the batch store and
 * the manifest file). When the manifest is still there and unchanged, rows come out in manifest
 * order with pending and budget-held rows listed too (streamed; results looked up 500 at a time),
 * and prompt and metadata come from the manifest where a result lacks them; otherwise the
 * recorded results are listed as stored.
 */
import type { BatchRecord } from "../ledger/batch-record.js";
import type { ResultReader } from "../ledger/result-reader.js";
import { manifestSha256 } from "../manifest/fingerprint.js";
import { streamManifestBatches } from "../manifest/stream.js";
import type { ManifestSource } from "../manifest/source.js";
import type { JobRow } from "../manifest/types.js";
import { pricedRows } from "../pricing/priced-rows.js";
import type { StoredResult } from "../ledger/stored-result.js";
import { lineFromResult, pendingLine, promptOf, type ResultLine } from "./result-lines.js";

const CANCELED_ROW = "canceled: the batch was canceled before this row ran";

export type LinesStore = Pick<
  ResultReader,
  "results" | "runIds" | "heldRows" | "scanResults" | "scanRemoved"
>;

export interface BatchLine extends ResultLine {
  readonly estimateMicros: number;
  readonly costMicros: number;
}

export async function manifestUsable(record: BatchRecord): Promise<boolean> {
  try {
    const { path, sha256 } = record.submission.manifest;
    return (await manifestSha256(path)) === sha256;
  } catch {
    return false;
  }
}

function sourceOf(record: BatchRecord): ManifestSource {
  const { sha256: _sha256, ...source } = record.submission.manifest;
  return source;
}

const facts = (row: JobRow) => ({ prompt: promptOf(row.input), metadata: row.metadata });

/** Yields every line of the batch, with its estimate and cost in micro-dollars. */
export async function* batchLines(
  store: LinesStore,
  record: BatchRecord,
  usable: boolean,
): AsyncGenerator<BatchLine> {
  const fromResult = (r: StoredResult, row: JobRow | null): BatchLine => ({
    ...lineFromResult(r, row ? facts(row) : null),
    estimateMicros: r.estimated_micros,
    costMicros: r.cost_micros,
  });
  const removed = async function* (): AsyncGenerator<BatchLine> {
    for await (const result of store.scanRemoved(record.id))
      yield { ...fromResult(result, null), status: "removed" };
  };
  if (!usable) {
    for await (const result of store.scanResults(record.id)) yield fromResult(result, null);
    yield* removed();
    return;
  }
  const held = new Set(await store.heldRows(record.id));
  let chunk: { row: JobRow; estimate: number }[] = [];
  async function* flush(): AsyncGenerator<BatchLine> {
    const keys = chunk.map((c) => c.row.key);
    const [results, runIds] = await Promise.all([
      store.results(record.id, keys),
      store.runIds(record.id, keys),
    ]);
    for (const [i, { row, estimate }] of chunk.entries()) {
      const result = results[i];
      if (result) {
        yield fromResult(result, row);
        continue;
      }
      const isHeld = held.has(row.key) || (record.budgetBlocked && !runIds[i]);
      const line = pendingLine(row, estimate, isHeld, runIds[i] ?? null, facts(row));
      // A canceled batch's rows that never ran are canceled, not pending.
      const ended =
        record.state === "canceled" ? { ...line, status: "canceled" as const, error: CANCELED_ROW } : line;
      yield { ...ended, estimateMicros: estimate, costMicros: 0 };
    }
    chunk = [];
  }
  // Rows without a price were skipped by --skip-invalid; pricedRows reports them as problems.
  for await (const item of pricedRows(sourceOf(record), record.submission.prices)) {
    if (!item.ok) continue;
    chunk.push({ row: item.row, estimate: item.estimateMicros });
    if (chunk.length >= 500) yield* flush();
  }
  yield* flush();
  yield* removed();
}

/**
 * Every metadata key of the batch, sorted: read from the manifest (one cheap streamed pass, no
 * Redis) when it is usable, else from the recorded results. results.csv needs them for its header.
 */
export async function metadataKeys(
  store: LinesStore,
  record: BatchRecord,
  usable: boolean,
): Promise<string[]> {
  const keys = new Set<string>();
  const add = (metadata: Readonly<Record<string, string>> | null | undefined) => {
    if (metadata) for (const key of Object.keys(metadata)) keys.add(key);
  };
  if (usable) {
    const source = sourceOf(record);
    for await (const items of streamManifestBatches(source.path, source)) {
      for (const item of items) if (item.ok) add(item.row.metadata);
    }
  }
  if (!usable) for await (const result of store.scanResults(record.id)) add(result.metadata);
  return [...keys].sort();
}
