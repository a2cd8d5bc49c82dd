/**
 * The dashboard: `/` (batches, live), `/batches/:id` (a batch's report, live, with picking:
 * picks-routes.ts), `/queues` (bull-board), `/metrics` (Prometheus). A factory with explicit dependencies, so `dashboard`
 * and, later, `serve --dashboard PORT` run the same server. Binds to 127.0.0.1 unless told
 * otherwise, and then only with a token.
 */
import type { AddressInfo } from "node:net";
import type { Redis } from "ioredis";
import { Hono } from "hono";
import { createApiStats } from "../ledger/api-stats.js";
import { createBatchRecords } from "../ledger/batch-records.js";
import { createBudgetHistory } from "../ledger/budget-history.js";
import { createResultReader } from "../ledger/result-reader.js";
import { silentLogger, type Logger } from "../log/logger.js";
import type { Keys } from "../ledger/keys.js";
import { batchStatus } from "../report/status-view.js";
import { checkBind, tokenGuard } from "./auth.js";
import { mountBullBoard } from "./bull-board.js";
import { batchFile } from "./files.js";
import type { StoreOpener } from "../outdir/store.js";
import { createLanes } from "./lanes.js";
import { renderMetrics } from "./metrics.js";
import { readBatchPage } from "./batch-data.js";
import { createRowStore } from "../ledger/row-store.js";
import { readSnapshot } from "./snapshot.js";
import {
  batchPage,
  batchPlace,
  cardsHtml,
  dashboardPicks,
  fileUrl,
  liveHeaderHtml,
  notFoundPage,
} from "./views/batch-page.js";
import { readLineageView } from "../batch/end/lineage-view.js";
import { createFinalsStore } from "../ledger/finals.js";
import { createPicksStore } from "../ledger/picks.js";
import { mountPicks } from "./picks-routes.js";
import { batchesPage, batchRows } from "./views/batches-page.js";

export interface DashboardOptions {
  readonly redis: Redis;
  readonly keys: Keys;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** 0 = a free port. */
  readonly port: number;
  /** Required unless host is a loopback address. */
  readonly token?: string | null;
  /** bull-board's retry/clean/promote buttons (off: read-only). */
  readonly allowActions?: boolean;
  readonly logger?: Logger;
  readonly now?: () => Date;
  /** How often live pages refresh (default 2,000 ms). */
  readonly refreshMs?: number;
  /** Batches listed on / and in /metrics (default 100). */
  readonly limit?: number;
  /** Opens batch directories that are S3 prefixes (default: local directories only). */
  readonly stores?: StoreOpener;
}

export interface Dashboard {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

export async function startDashboard(options: DashboardOptions): Promise<Dashboard> {
  const host = options.host ?? "127.0.0.1";
  const token = options.token ?? null;
  checkBind(host, token);
  const logger = (options.logger ?? silentLogger()).child({ component: "dashboard" });
  const now = options.now ?? (() => new Date());
  const refreshMs = options.refreshMs ?? 2_000;
  const limit = options.limit ?? 100;
  const batches = createBatchRecords(options.redis, options.keys);
  const results = createResultReader(options.redis, options.keys);
  const history = createBudgetHistory(options.redis, options.keys);
  const api = createApiStats(options.redis, options.keys);
  const lanes = createLanes(options.redis, options.keys);
  const picksStore = createPicksStore(options.redis, options.keys);
  const lineageDeps = {
    batches,
    results,
    rowStore: createRowStore(options.redis, options.keys),
    finals: createFinalsStore(options.redis, options.keys),
  };

  const app = new Hono();
  app.use("*", tokenGuard(token));
  app.onError((error, c) => {
    logger.error({ err: error, path: c.req.path }, "Dashboard request failed.");
    return c.text(`dashboard: ${error instanceof Error ? error.message : String(error)}\n`, 500);
  });

  const statuses = async () => {
    const records = await batches.list(limit);
    return Promise.all(records.map(async (r) => batchStatus(r, await results.tierCounters(r.id), now())));
  };
  app.get("/", async (c) => c.html(batchesPage(await statuses(), refreshMs)));
  app.get("/fragments/batches", async (c) => c.html(batchRows(await statuses())));

  const pageData = (id: string, page: string | undefined) =>
    readBatchPage(
      { batches, lines: { results, rowStore: createRowStore(options.redis, options.keys) }, history, now },
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
  const allowActions = options.allowActions === true;
  mountPicks(app, { redis: options.redis, keys: options.keys, batches, results, allowActions });
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
    return batchFile(options.stores?.open(out) ?? out, c.req.path.slice(prefix.length));
  });

  app.get("/metrics", async (c) => {
    const { text, contentType } = await renderMetrics(
      await readSnapshot({ batches, results, lanes, api, limit }),
    );
    return c.body(text, 200, { "content-type": contentType });
  });
  const listQueues = async () =>
    (await batches.list(limit)).flatMap((r) => [lanes.of(r.id).generate, lanes.of(r.id).edit]);
  await mountBullBoard(app, listQueues, allowActions);

  const { serve } = await import("@hono/node-server");
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port: options.port, hostname: host }, () => resolve(s));
    s.once("error", reject);
  });
  const port = (server.address() as AddressInfo).port;
  const shownHost = host.includes(":") ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${port}`,
    port,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      });
      await lanes.close();
    },
  };
}
