/**
 * What a batch page shows, read fresh: the record, per-tier counters and budget history (the
 * header), and the page's lines (cards) in manifest order, read from the ledger from the page's
 * first row on.
 */
import type { BatchRecords } from "../ledger/batch-records.js";
import type { BudgetHistory } from "../ledger/budget-history.js";
import { batchLines, type LinesStore } from "../report/batch-lines.js";
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
  readonly lines: LinesStore;
  readonly history: BudgetHistory;
  readonly now: () => Date;
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
  const [tiers, events] = await Promise.all([deps.lines.results.tierCounters(id), deps.history.read(id)]);
  const lines: ResultLine[] = [];
  const failures: HeaderFailure[] = [];
  const first = (page - 1) * CARDS_PER_PAGE;
  for await (const line of batchLines(deps.lines, record, { start: first })) {
    if (lines.length >= CARDS_PER_PAGE) break;
    const { estimateMicros: _e, costMicros: _c, ...fields } = line;
    lines.push(fields);
    if (fields.status === "failed") failures.push({ id: fields.id, reason: fields.error ?? "failed", page });
  }
  const finished = record.succeeded + record.failed >= record.submission.rows;
  return { header: liveHeader(record, tiers, events, failures, deps.now()), lines, page, pages, finished };
}
