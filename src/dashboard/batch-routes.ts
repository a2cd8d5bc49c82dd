/**
 * A batch's pages on the dashboard: `/batches/:id` (its report, page by page, with its picks and
 * lineage), `/batches/:id/live` (the parts a live page refreshes) and `/batches/:id/files/*` (its
 * directory's files: images, reports).
 */
import type { Hono } from "hono";
import type { Redis } from "ioredis";
import { readLineageView } from "../batch/end/lineage-view.js";
import type { BatchRecords } from "../ledger/batch-records.js";
import type { BudgetHistory } from "../ledger/budget-history.js";
import { createFinalsStore } from "../ledger/finals.js";
import type { Keys } from "../ledger/keys.js";
import { createPicksStore } from "../ledger/picks.js";
import type { ResultReader } from "../ledger/result-reader.js";
import { createRowStore } from "../ledger/row-store.js";
import type { StoreOpener } from "../outdir/store.js";
import { readBatchPage } from "./batch-data.js";
import { batchFile } from "./files.js";
import {
  batchPage,
  batchPlace,
  cardsHtml,
  dashboardPicks,
  fileUrl,
  liveHeaderHtml,
  notFoundPage,
} from "./views/batch-page.js";

export interface BatchRoutesOptions {
  readonly redis: Redis;
  readonly keys: Keys;
  readonly batches: BatchRecords;
  readonly results: ResultReader;
  readonly history: BudgetHistory;
  readonly now: () => Date;
  readonly refreshMs: number;
  readonly allowActions: boolean;
  readonly stores?: StoreOpener | undefined;
}

export function mountBatchRoutes(app: Hono, o: BatchRoutesOptions): void {
  const { batches, results, history, now, refreshMs, allowActions } = o;
  const rowStore = createRowStore(o.redis, o.keys);
  const picksStore = createPicksStore(o.redis, o.keys);
  const lineageDeps = { batches, results, rowStore, finals: createFinalsStore(o.redis, o.keys) };
  const pageData = (id: string, page: string | undefined) =>
    readBatchPage(
      { batches, lines: { results, rowStore: createRowStore(o.redis, o.keys) }, history, now },
      id,
      Math.max(1, Number.parseInt(page ?? "1", 10) || 1),
    );
  // Drafts and finals link to each other's images through their files URLs.
  const lineageOf = async (id: string) => {
    const record = await batches.get(id);
    return record
      ? readLineageView(lineageDeps, record, (batch, _dir, file) => fileUrl(batch, file))
      : undefined;
  };
  app.get("/batches/:id", async (c) => {
    const data = await pageData(c.req.param("id"), c.req.query("page"));
    if (!data) return c.html(notFoundPage(c.req.param("id")), 404);
    const { batch } = data.header;
    const picks = dashboardPicks(batch, allowActions, await picksStore.list(batch));
    const extras = { picks, lineage: await lineageOf(batch) };
    return c.html(
      batchPage(data.header, batchPlace(batch, data.page, data.pages), data.lines, refreshMs, extras),
    );
  });
  app.get("/batches/:id/live", async (c) => {
    const data = await pageData(c.req.param("id"), c.req.query("page"));
    if (!data) return c.json({ error: "no such batch" }, 404);
    const place = batchPlace(data.header.batch, data.page, data.pages);
    return c.json({
      header: liveHeaderHtml(data.header, place),
      cards: cardsHtml(data.header.batch, data.lines, await lineageOf(data.header.batch)),
      finished: data.finished,
    });
  });
  app.get("/batches/:id/files/*", async (c) => {
    const record = await batches.get(c.req.param("id"));
    if (!record) return c.text("no such batch\n", 404);
    const prefix = `/batches/${encodeURIComponent(record.id)}/files/`;
    const out = record.submission.out;
    return batchFile(o.stores?.open(out) ?? out, c.req.path.slice(prefix.length));
  });
}
