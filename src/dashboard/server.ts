/**
 * The dashboard: `/` (batches, live), `/batches/:id` (a batch's report, live, with picking:
 * batch-routes.ts, picks-routes.ts), `/queues` (bull-board), `/metrics` (Prometheus). A factory
 * with explicit dependencies, so `dashboard` and `serve --dashboard PORT` run the same server.
 * Binds to 127.0.0.1 unless told otherwise, and then only with a token.
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
import type { StoreOpener } from "../outdir/store.js";
import { createLanes } from "./lanes.js";
import { renderMetrics } from "./metrics.js";
import { readSnapshot } from "./snapshot.js";
import { mountBatchRoutes } from "./batch-routes.js";
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

/** Listens on the port (0 = a free one) and host; resolves once listening. */
async function listen(app: Hono, port: number, host: string) {
  const { serve } = await import("@hono/node-server");
  return new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port, hostname: host }, () => resolve(s));
    s.once("error", reject);
  });
}

export async function startDashboard(options: DashboardOptions): Promise<Dashboard> {
  const host = options.host ?? "127.0.0.1";
  const token = options.token ?? null;
  checkBind(host, token);
  const logger = (options.logger ?? silentLogger()).child({ component: "dashboard" });
  const now = options.now ?? (() => new Date());
  const refreshMs = options.refreshMs ?? 2_000;
  const limit = options.limit ?? 100;
  const { redis, keys } = options;
  const batches = createBatchRecords(redis, keys);
  const results = createResultReader(redis, keys);
  const history = createBudgetHistory(redis, keys);
  const api = createApiStats(redis, keys);
  const lanes = createLanes(redis, keys);

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

  const allowActions = options.allowActions === true;
  mountPicks(app, { redis, keys, batches, results, allowActions });
  const stores = options.stores;
  mountBatchRoutes(app, { redis, keys, batches, results, history, now, refreshMs, allowActions, stores });

  app.get("/metrics", async (c) => {
    const { text, contentType } = await renderMetrics(
      await readSnapshot({ batches, results, lanes, api, limit }),
    );
    return c.body(text, 200, { "content-type": contentType });
  });
  const listQueues = async () =>
    (await batches.list(limit)).flatMap((r) => [lanes.of(r.id).generate, lanes.of(r.id).edit]);
  await mountBullBoard(app, listQueues, allowActions);

  const server = await listen(app, options.port, host);
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
