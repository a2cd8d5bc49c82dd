/**
 * What a batch page shows, read fresh: the record, per-tier counters and budget history (the
 * header), and the page's lines (cards) in manifest order, reading the manifest only as far as
 * the page.
 */
import { stat } from "node:fs/promises";
import type { BatchRecord } from "../ledger/batch-record.js";
import type { BatchRecords } from "../ledger/batch-records.js";
import type { BudgetHistory } from "../ledger/budget-history.js";
import type { ResultReader } from "../ledger/result-reader.js";
import { batchLines, manifestUsable } from "../report/batch-lines.js";
import type { HeaderFailure, HeaderModel } from "../report/html/header.js";
import { CARDS_PER_PAGE } from "../report/html/page.js";
import type { ResultLine } from "../report/result-lines.js";
import { liveHeader } from "./live-model.js";

export interface BatchPageData {
  readonly header: HeaderModel;
  readonly lines: readonly ResultLine[];
  readonly page: number;
  readonly pages: number;
  /** Every row recorded: the page stops refreshing. */
  readonly finished: boolean;
}

export interface BatchPageDeps {
  readonly batches: Pick<BatchRecords, "get">;
  readonly results: ResultReader;
  readonly history: BudgetHistory;
  readonly now: () => Date;
  /** Whether a manifest still matches its batch, by path, size and mtime: hashed once, not per refresh. */
  readonly usable: Map<string, { readonly stamp: string; readonly usable: boolean }>;
}

async function usableCached(deps: BatchPageDeps, record: BatchRecord): Promise<boolean> {
  const { path } = record.submission.manifest;
  let stamp = "missing";
  try {
    const s = await stat(path);
    stamp = `${s.size}:${s.mtimeMs}`;
  } catch {
    return false;
  }
  const key = `${record.id}\u0000${path}`;
  const known = deps.usable.get(key);
  if (known?.stamp === stamp) return known.usable;
  const usable = await manifestUsable(record);
  deps.usable.set(key, { stamp, usable });
  return usable;
}

export async function readBatchPage(
  deps: BatchPageDeps,
  id: string,
  wanted: number,
): Promise<BatchPageData | null> {
  const record = await deps.batches.get(id);
  if (!record) return null;
  const pages = Math.max(1, Math.ceil(record.submission.rows / CARDS_PER_PAGE));
  const page = Math.min(wanted, pages);
  const [tiers, events, usable] = await Promise.all([
    deps.results.tierCounters(id),
    deps.history.read(id),
    usableCached(deps, record),
  ]);
  const lines: ResultLine[] = [];
  const failures: HeaderFailure[] = [];
  const first = (page - 1) * CARDS_PER_PAGE;
  let index = 0;
  for await (const line of batchLines(deps.results, record, usable)) {
    if (index >= first + CARDS_PER_PAGE) break;
    if (index >= first) {
      const { estimateMicros: _e, costMicros: _c, ...fields } = line;
      lines.push(fields);
      if (fields.status === "failed")
        failures.push({ id: fields.id, reason: fields.error ?? "failed", page });
    }
    index += 1;
  }
  const finished = record.succeeded + record.failed >= record.submission.rows;
  return { header: liveHeader(record, tiers, events, failures, deps.now()), lines, page, pages, finished };
}
