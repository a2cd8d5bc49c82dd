/**
 * Reading a batch's lines for the reports and the dashboard, from the ledger alone (an I/O edge:
 * Redis). Rows come out in manifest order from the batch's row store, recorded ones from their
 * results, pending and budget-held ones from the row as submitted (results looked up 500 at a
 * time), then the rows the manifest no longer has. The manifest itself is never read again.
 * A batch stored before rows were kept in Redis lists its recorded results as stored.
 */
import type { BatchRecord } from "../ledger/batch-record.js";
import type { ResultReader } from "../ledger/result-reader.js";
import type { KeyedRow, RowStore } from "../ledger/row-store.js";
import type { StoredResult } from "../ledger/stored-result.js";
import {
  lineFromResult,
  pendingLine,
  promptOf,
  type ManifestFacts,
  type ResultLine,
} from "./result-lines.js";

const CANCELED_ROW = "canceled: the batch was canceled before this row ran";
const CHUNK = 500;

export interface LinesStore {
  readonly results: Pick<
    ResultReader,
    "results" | "runIds" | "heldRows" | "scanResults" | "scanRemoved" | "scanHistory" | "tierCounters"
  >;
  readonly rowStore: Pick<RowStore, "keysAt" | "get" | "count">;
}

export interface BatchLine extends ResultLine {
  readonly estimateMicros: number;
  readonly costMicros: number;
}

const facts = ({ row }: KeyedRow): ManifestFacts => ({
  prompt: promptOf(row.input),
  metadata: row.metadata,
  draft: row.draft,
});

const fromResult = (r: StoredResult, row: KeyedRow | null): BatchLine => ({
  ...lineFromResult(r, row ? facts(row) : null),
  estimateMicros: r.estimated_micros,
  costMicros: r.cost_micros,
});

/** The lines of these rows, in their order. */
async function linesOf(
  store: LinesStore,
  record: BatchRecord,
  rows: readonly KeyedRow[],
  held: ReadonlySet<string>,
): Promise<BatchLine[]> {
  const keys = rows.map((r) => r.key);
  const [results, runIds] = await Promise.all([
    store.results.results(record.id, keys),
    store.results.runIds(record.id, keys),
  ]);
  return rows.map((keyed, i) => {
    const result = results[i];
    if (result) return fromResult(result, keyed);
    const { key, row } = keyed;
    const isHeld = held.has(key) || (record.budgetBlocked && !runIds[i]);
    const line = pendingLine({ key, ...row }, row.estimate_micros, isHeld, runIds[i] ?? null, facts(keyed));
    // A canceled batch's rows that never ran are canceled, not pending.
    const ended =
      record.state === "canceled" ? { ...line, status: "canceled" as const, error: CANCELED_ROW } : line;
    return { ...ended, content_sha: row.content_sha, estimateMicros: row.estimate_micros, costMicros: 0 };
  });
}

/**
 * Yields every line of the batch, with its estimate and cost in micro-dollars; from the
 * `start`-th row on (0-based, in manifest order) when given (the dashboard's pages).
 */
export async function* batchLines(
  store: LinesStore,
  record: BatchRecord,
  options: { readonly start?: number } = {},
): AsyncGenerator<BatchLine> {
  const stored = await store.rowStore.count(record.id);
  if (stored === 0) {
    for await (const result of store.results.scanResults(record.id)) yield fromResult(result, null);
  } else {
    const held = new Set(await store.results.heldRows(record.id));
    for (let at = options.start ?? 0; at < stored; at += CHUNK) {
      const keys = await store.rowStore.keysAt(record.id, at, CHUNK);
      const rows = await store.rowStore.get(record.id, keys);
      const keyed = keys.flatMap((key, i) => (rows[i] ? [{ key, row: rows[i] }] : []));
      yield* await linesOf(store, record, keyed, held);
    }
  }
  for await (const result of store.results.scanRemoved(record.id))
    yield { ...fromResult(result, null), status: "removed" };
}

/** Whether the batch's rows are finals made from drafts (promote): results.csv has lineage columns. */
export async function hasLineage(
  rowStore: Pick<RowStore, "keysAt" | "get">,
  batchId: string,
): Promise<boolean> {
  const [first] = await rowStore.keysAt(batchId, 0, 1);
  if (first === undefined) return false;
  const [row] = await rowStore.get(batchId, [first]);
  return row?.draft !== undefined;
}

/** Every metadata key of the batch, sorted: results.csv has a column for each. */
export async function metadataKeys(store: LinesStore, record: BatchRecord): Promise<string[]> {
  const keys = new Set(record.submission.metadataKeys);
  // Results may carry keys of rows the manifest has dropped (removed), or the batch predates the row store.
  const add = (r: StoredResult) => Object.keys(r.metadata ?? {}).forEach((key) => keys.add(key));
  if ((await store.rowStore.count(record.id)) === 0)
    for await (const result of store.results.scanResults(record.id)) add(result);
  for await (const result of store.results.scanRemoved(record.id)) add(result);
  return [...keys].sort();
}
