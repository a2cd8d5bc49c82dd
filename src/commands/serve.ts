/**
 * `serve`: the long-running process for a machine. It syncs the schedules folder into Redis at
 * start (an invalid folder refuses to start, exit 2) and again whenever a schedule file changes
 * (an invalid edit is logged and changes nothing), takes fired occurrences from the `schedules`
 * queue and starts each one's batch, and works rows exactly like `worker` (the pool of batches
 * of its endpoint and account, their lifecycle included). Run it on as many machines as you
 * like: BullMQ gives each fired occurrence to one of them, and the occurrence is claimed once.
 */
import { UsageError } from "../core/errors.js";
import { startDashboard } from "../dashboard/server.js";
import type { Logger } from "../log/logger.js";
import { loadScheduleFolder, type ScheduleFolder } from "../schedule/load.js";
import { createOccurrenceRunner } from "../schedule/occurrence-runner.js";
import { createOccurrenceStore } from "../schedule/occurrence-store.js";
import { createScheduleQueue, type ScheduleQueue } from "../schedule/scheduler.js";
import { startScheduleWorker } from "../schedule/schedule-worker.js";
import { ScheduleFilesError, syncLines, syncSchedules } from "../schedule/sync.js";
import { watchScheduleFolder } from "../schedule/watch.js";
import type { CommandContext } from "./context.js";
import { checkApiKey } from "../batch/open/balance-check.js";
import { bindingOf, openQueueDeps, runflowClientFor, type QueueDeps } from "../runtime/deps.js";
import { definiteStartError, occurrenceStarter } from "../schedule/start-occurrence.js";
import { work, type WorkSettings } from "./work.js";

export interface ServeSettings {
  /** The schedules folder as the user named it. */
  readonly schedules: string;
  /** How rows are worked (as `worker`, always the pool of this endpoint and account). */
  readonly work: Omit<WorkSettings, "batchId">;
  /** Also serve the dashboard on 127.0.0.1 at this port (0: any free one). */
  readonly dashboardPort: number | null;
}

/** An AbortSignal that aborts with `outer` or when `abort()` is called. */
function linkedStop(outer: AbortSignal | undefined) {
  const controller = new AbortController();
  if (outer?.aborted) controller.abort();
  outer?.addEventListener("abort", () => controller.abort(), { once: true });
  return controller;
}

/**
 * The folder synced into Redis now, and again whenever a schedule file changes: watched before the
 * first sync, so a file changed while it runs is synced after it, never missed. `ready` settles
 * with the first sync (its failure ends serve); a later invalid edit is logged and changes nothing.
 */
function startScheduleSync(queue: ScheduleQueue, folder: ScheduleFolder, dir: string, log: Logger) {
  let syncing: Promise<void> = (async () => {
    for (const line of syncLines(await syncSchedules(queue, folder, dir)))
      log.info({ dir }, `Schedules: ${line}`);
  })();
  syncing.catch(() => undefined); // awaited as `ready`, where a failure ends serve
  const ready = syncing;
  const resync = () => {
    syncing = syncing.then(async () => {
      try {
        const changed = await loadScheduleFolder(dir, dir, Date.now());
        for (const line of syncLines(await syncSchedules(queue, changed, dir)))
          log.info({ dir }, `Schedules changed: ${line}`);
      } catch (err) {
        if (err instanceof ScheduleFilesError)
          log.warn({ dir }, `${err.message}\nThe schedules Redis holds stay as they were.`);
        else log.warn({ err, dir }, "Could not sync the changed schedules; the next change tries again.");
      }
    });
  };
  const watcher = watchScheduleFolder(dir, resync, log);
  return {
    ready,
    async close() {
      await syncing.catch(() => undefined);
      watcher.close();
    },
  };
}

/** `--dashboard PORT`: the dashboard on 127.0.0.1, read-only; a port in use is the user's to change. */
function startServeDashboard(deps: QueueDeps, port: number) {
  return startDashboard({
    redis: deps.redis,
    keys: deps.keys,
    stores: deps.stores,
    host: "127.0.0.1",
    port,
    token: deps.config.dashboardToken,
    allowActions: false,
    logger: deps.logger,
  }).catch((error: unknown) => {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EADDRINUSE")
      throw new UsageError(`--dashboard ${port}: the port is in use; pick another`, { cause: error });
    throw error;
  });
}

export async function serve(ctx: CommandContext, settings: ServeSettings): Promise<void> {
  const dir = settings.schedules;
  // The folder first: an invalid schedule never starts a serve that would run without it.
  const folder = await loadScheduleFolder(dir, dir, Date.now());
  if (folder.problems.length > 0)
    throw new ScheduleFilesError(dir, folder.problems, "serve did not start and Redis is unchanged");
  const deps = await openQueueDeps(ctx.io, { redisTimeoutMs: settings.work.redisTimeoutMs });
  const stop = linkedStop(ctx.io.signal);
  const queue = createScheduleQueue(deps.redis, deps.keys);
  const client = runflowClientFor(deps.config, deps.logger, undefined, undefined, deps);
  const closers: (() => Promise<void> | void)[] = [];
  try {
    const binding = bindingOf(deps.config, false);
    const log = deps.logger;
    // A key Runflow refuses ends serve before any schedule is synced or occurrence started (exit 4).
    await deps.guard(checkApiKey(client, log));
    const sync = startScheduleSync(queue, folder, dir, log);
    closers.push(() => sync.close());
    await sync.ready;

    const runner = createOccurrenceRunner({
      store: createOccurrenceStore(deps.redis, deps.keys),
      batches: deps.ledger.batches,
      start: occurrenceStarter({ ...deps, client, binding, env: ctx.io.env }),
      isDefinite: definiteStartError,
      logger: log,
      stillScheduled: async (name) => (await queue.get(name)) !== null,
    });
    const scheduleWorker = startScheduleWorker({ redis: deps.redis, keys: deps.keys, runner, logger: log });
    closers.push(() => scheduleWorker.close());

    if (settings.dashboardPort !== null) {
      const board = await startServeDashboard(deps, settings.dashboardPort);
      ctx.io.stdout.write(`Dashboard listening on ${board.url}\n`);
      closers.push(() => board.close());
    }

    log.info(
      { dir, schedules: folder.files.length },
      `Serving the schedules of ${dir}; working rows of this endpoint and account.`,
    );
    // Rows are worked exactly as by `worker`; it ends on Ctrl-C / SIGTERM (or a fatal error).
    await work(
      { ...ctx, io: { ...ctx.io, signal: stop.signal } },
      { ...settings.work, batchId: undefined },
      { keyChecked: true },
    );
  } finally {
    stop.abort();
    for (const close of closers.reverse()) await Promise.resolve(close()).catch(() => undefined);
    await client.close();
    await queue.close();
    await deps.close();
  }
}
