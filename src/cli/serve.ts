/** `runflow-batch serve`: flags and help; the use case is src/commands/serve.ts. */
import type { Command } from "commander";
import type { CommandContext } from "../commands/context.js";
import { CONCURRENCY_DEFAULTS } from "../config/defaults.js";
import { UsageError } from "../core/errors.js";
import { addRedisTimeoutOption, parseRedisTimeout } from "./flags/batch-flags.js";
import { addWorkerOptions, parseWorkerFlags, type WorkerFlags } from "./flags/worker-flags.js";

interface ServeFlags extends WorkerFlags {
  schedules: string;
  dashboard?: string;
  redisTimeout?: string;
}

function parsePort(flag: string, text: string): number {
  const n = /^\d+$/.test(text.trim()) ? Number(text) : Number.NaN;
  if (!Number.isInteger(n) || n > 65_535)
    throw new UsageError(`${flag} must be a port number from 0 to 65535, got ${JSON.stringify(text)}`);
  return n;
}

export function registerServe(program: Command, ctx: CommandContext): void {
  const command = program
    .command("serve")
    .summary("the long-running process for a machine: scheduled jobs + worker")
    .description(
      "Sync the schedules of a folder into Redis (at start and whenever a file changes), start each " +
        "occurrence when it is due, and work rows like `worker`. Run it on as many machines as you like: " +
        "each occurrence starts once.",
    )
    .option("--schedules <dir>", "folder of *.schedule.yaml / *.schedule.json files", "jobs")
    .option("--dashboard <port>", "also serve the dashboard on 127.0.0.1 at this port");
  addRedisTimeoutOption(addWorkerOptions(command, CONCURRENCY_DEFAULTS.worker))
    .addHelpText(
      "after",
      "\nExamples:\n  RUNFLOW_API_KEY=rf_live_… runflow-batch serve --schedules jobs/\n" +
        "  REDIS_URL=redis://queue.internal:6379 runflow-batch serve --schedules /srv/jobs --concurrency 500",
    )
    .action(async (flags: ServeFlags) => {
      ctx.handlesStop();
      ctx.io.onPaidWork?.(); // rows with runs in flight: a stop waits to hand them back
      const settings = {
        schedules: flags.schedules,
        work: {
          ...parseWorkerFlags(flags, CONCURRENCY_DEFAULTS.worker),
          redisTimeoutMs: parseRedisTimeout(flags),
        },
        dashboardPort: flags.dashboard === undefined ? null : parsePort("--dashboard", flags.dashboard),
      };
      const { serve } = await import("../commands/serve.js");
      await serve(ctx, settings);
    });
}
