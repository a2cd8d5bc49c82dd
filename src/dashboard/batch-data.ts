/**
 * What a batch page shows, read fresh: the record, per-tier counters and budget history (the
 * header), and the page's lines (cards) in manifest order, reading the manifest only as far as
 * the page.
 */
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
}

export async function readBatchPage(deps: BatchPageDeps, id: string, wanted: number): Promise<BatchPageData | null> {
  const record = await deps.batches.get(id);
  if (!record) return null;
  const pages = Math.max(1, Math.ceil(record.submission.rows / CARDS_PER_PAGE));
  const page = Math.min(wanted, pages);
  const [tiers, events, usable] = await Promise.all([deps.results.tierCounters(id), deps.history.read(id), manifestUsable(record)]);
  const lines: ResultLine[] = [];
  const failures: HeaderFailure[] = [];
  const first = (page - 1) * CARDS_PER_PAGE;
  let index = 0;
  for await (const line of batchLines(deps.results, record, usable)) {
    if (index >= first + CARDS_PER_PAGE) break;
    if (index >= first) {
      const { estimateMicros: _e, costMicros: _c, ...fields } = line;
      lines.push(fields);
      if (fields.status === "failed") failures.push({ id: fields.id, reason: fields.error ?? "failed", page });
    }
    index += 1;
  }
  const finished = record.succeeded + record.failed >= record.submission.rows;
  return { header: liveHeader(record, tiers, events, failures, deps.now()), lines, page, pages, finished };
}
