/**
 * `dashboard`: the web dashboard as a long-running command (batches, bull-board, /metrics). The
 * first line on stdout is `Dashboard listening on http://HOST:PORT`; it runs until SIGINT or
 * SIGTERM, then closes cleanly.
 */
import { UsageError } from "../core/errors.js";
import { startDashboard } from "../dashboard/server.js";
import type { CommandContext } from "./context.js";
import { openQueueDeps } from "../runtime/deps.js";

export interface DashboardSettings {
  readonly host: string;
  readonly port: number;
  /** From --token; else the configuration's RUNFLOW_BATCH_DASHBOARD_TOKEN. */
  readonly token: string | undefined;
  readonly allowActions: boolean;
}

function untilAborted(signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (!signal) return;
    if (signal.aborted) resolve();
    else signal.addEventListener("abort", () => resolve(), { once: true });
  });
}

function listenError(error: unknown, settings: DashboardSettings): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "EADDRINUSE")
    return new UsageError(`port ${settings.port} is already in use; pick another with --port, or --port 0`, {
      cause: error,
    });
  if (code === "EADDRNOTAVAIL" || code === "ENOTFOUND")
    return new UsageError(`cannot listen on --host ${JSON.stringify(settings.host)}`, { cause: error });
  return error;
}

export async function dashboard(ctx: CommandContext, settings: DashboardSettings): Promise<void> {
  const deps = await openQueueDeps(ctx.io);
  try {
    const token = settings.token ?? deps.config.dashboardToken;
    const server = await startDashboard({
      redis: deps.redis,
      keys: deps.keys,
      stores: deps.stores,
      host: settings.host,
      port: settings.port,
      token,
      allowActions: settings.allowActions,
      logger: deps.logger,
    }).catch((error: unknown) => {
      throw listenError(error, settings);
    });
    ctx.io.stdout.write(`Dashboard listening on ${server.url}\n`);
    const actions = settings.allowActions ? "bull-board actions allowed" : "bull-board read-only";
    const pages = `${server.url}/ · ${server.url}/queues (${actions}) · ${server.url}/metrics`;
    ctx.io.stdout.write(`Pages: ${pages}. Stop with Ctrl-C.\n`);
    await untilAborted(ctx.io.signal);
    await server.close();
  } finally {
    await deps.close();
  }
}
