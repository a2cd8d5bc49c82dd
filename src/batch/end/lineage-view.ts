/**
 * The lineage a batch's pages show (report/html/lineage.ts), read from the ledger: for a draft
 * batch, the finals promoted from its images and how each stands; for a final batch, the draft
 * image each row came from. `hrefOf` says where an image of another batch is seen from this
 * batch's pages (report.html: a path relative to its directory; the dashboard: its file URLs).
 * A batch with neither gets no view (one read each to find out).
 */
import { imageNumberOf } from "../../core/file-names.js";
import type { BatchRecord } from "../../ledger/batch-record.js";
import type { BatchRecords } from "../../ledger/batch-records.js";
import type { FinalsStore } from "../../ledger/finals.js";
import type { ResultReader } from "../../ledger/result-reader.js";
import type { RowStore } from "../../ledger/row-store.js";
import type { FinalLink, LinkedImage, LineageView } from "../../report/html/lineage.js";
import { hasLineage } from "../../report/batch-lines.js";

export type HrefOf = (batch: string, outDir: string, file: string) => string;

export interface LineageDeps {
  readonly batches: Pick<BatchRecords, "get">;
  readonly results: Pick<ResultReader, "results">;
  readonly rowStore: Pick<RowStore, "keysAt" | "get" | "chunks">;
  readonly finals: Pick<FinalsStore, "list">;
}

const CHUNK = 500;

async function resultsOf(deps: LineageDeps, batch: string, rows: readonly string[]) {
  const found = new Map<string, { status: string; images: readonly string[] }>();
  for (let i = 0; i < rows.length; i += CHUNK) {
    const chunk = rows.slice(i, i + CHUNK);
    const results = await deps.results.results(batch, chunk);
    chunk.forEach((row, j) => {
      const r = results[j];
      if (r) found.set(row, { status: r.status, images: r.images });
    });
  }
  return found;
}

/** Draft side: image of a row → the finals made from it. */
async function finalsOfDraft(deps: LineageDeps, draft: BatchRecord, hrefOf: HrefOf) {
  const links = new Map<string, FinalLink[]>();
  const byBatch = new Map<string, { row: string; image: number; finalRow: string }[]>();
  for (const f of await deps.finals.list(draft.id)) {
    const list = byBatch.get(f.finalBatch) ?? [];
    list.push(f);
    byBatch.set(f.finalBatch, list);
  }
  for (const [batch, finals] of byBatch) {
    const record = await deps.batches.get(batch);
    if (!record) continue; // the final batch is gone from Redis: nothing to link
    const results = await resultsOf(deps, batch, [...new Set(finals.map((f) => f.finalRow))]);
    for (const f of finals) {
      const result = results.get(f.finalRow);
      const file = result?.images[0];
      const link: FinalLink = {
        batch,
        row: f.finalRow,
        status: result?.status ?? "pending",
        hasImage: file !== undefined,
        path: file === undefined ? "" : hrefOf(batch, record.submission.out, file),
      };
      const key = JSON.stringify([f.row, f.image]);
      links.set(key, [...(links.get(key) ?? []), link]);
    }
  }
  return links;
}

/** Final side: final row → the draft image it came from. */
async function draftsOfFinal(deps: LineageDeps, final: BatchRecord, hrefOf: HrefOf) {
  const wanted = new Map<string, { finalRow: string; row: string; image: number }[]>();
  for await (const chunk of deps.rowStore.chunks(final.id)) {
    for (const { key, row } of chunk) {
      if (!row.draft) continue;
      const list = wanted.get(row.draft.batch) ?? [];
      list.push({ finalRow: key, row: row.draft.row, image: row.draft.image });
      wanted.set(row.draft.batch, list);
    }
  }
  const images = new Map<string, LinkedImage>();
  for (const [batch, refs] of wanted) {
    const record = await deps.batches.get(batch);
    if (!record) continue;
    const results = await resultsOf(deps, batch, [...new Set(refs.map((r) => r.row))]);
    for (const ref of refs) {
      const file = results.get(ref.row)?.images.find((f) => imageNumberOf(ref.row, f) === ref.image);
      if (file) images.set(ref.finalRow, { path: hrefOf(batch, record.submission.out, file) });
    }
  }
  return images;
}

export async function readLineageView(
  deps: LineageDeps,
  record: BatchRecord,
  hrefOf: HrefOf,
): Promise<LineageView | undefined> {
  const finals = await finalsOfDraft(deps, record, hrefOf);
  const drafts = (await hasLineage(deps.rowStore, record.id))
    ? await draftsOfFinal(deps, record, hrefOf)
    : new Map<string, LinkedImage>();
  if (finals.size === 0 && drafts.size === 0) return undefined;
  return {
    finalsOf: (id, image) => finals.get(JSON.stringify([id, image])) ?? [],
    draftImageOf: (line) => drafts.get(line.id) ?? null,
  };
}
