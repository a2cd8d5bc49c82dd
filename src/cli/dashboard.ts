/** `runflow-batch dashboard`: flags and help; the use case is src/commands/dashboard.ts. */
import type { Command } from "commander";
import type { CommandContext } from "../commands/context.js";
import { UsageError } from "../core/errors.js";

interface DashboardFlags {
  port: string;
  host: string;
  token?: string;
  allowActions?: boolean;
}

function parsePort(flag: string, text: string): number {
  const n = /^\d+$/.test(text.trim()) ? Number(text) : Number.NaN;
  if (!Number.isInteger(n) || n < 0 || n > 65_535)
    throw new UsageError(`${flag} must be a port number from 0 to 65535, got ${JSON.stringify(text)}`);
  return n;
}

export function registerDashboard(program: Command, ctx: CommandContext): void {
  program
    .command("dashboard")
    .summary("web dashboard: batches, bull-board at /queues, Prometheus /metrics")
    .description(
      "Serve a web dashboard: / lists batches with live progress and cost, /batches/ID shows a " +
        "batch's report live, /queues is bull-board (read-only unless --allow-actions), /metrics is " +
        "Prometheus text.",
    )
    .option("--port <n>", "port to listen on (0 picks a free one)", "8080")
    .option("--host <host>", "address to bind; anything but loopback needs --token", "127.0.0.1")
    .option("--token <token>", "required to open the pages (default: RUNFLOW_BATCH_DASHBOARD_TOKEN)")
    .option(
      "--allow-actions",
      "let reviewers pick and reject images on batch pages (kept on the batch), and bull-board retry, " +
        "promote and clean jobs",
    )
    .addHelpText(
      "after",
      "\nExamples:\n  runflow-batch dashboard --port 8080\n" +
        "  RUNFLOW_BATCH_DASHBOARD_TOKEN=s3cret runflow-batch dashboard --host 0.0.0.0",
    )
    .action(async (flags: DashboardFlags) => {
      ctx.handlesStop();
      const settings = {
        host: flags.host,
        port: parsePort("--port", flags.port),
        token: flags.token,
        allowActions: flags.allowActions === true,
      };
      const { dashboard } = await import("../commands/dashboard.js");
      await dashboard(ctx, settings);
    });
}
