/** `runflow-batch worker`: flags and help; the use case is src/commands/work.ts. */
import type { Command } from "commander";
import type { CommandContext } from "../commands/context.js";
import { addWorkerOptions, parseWorkerFlags, type WorkerFlags } from "./flags/worker-flags.js";

export function registerWorker(program: Command, ctx: CommandContext): void {
  const command = program
    .command("worker")
    .summary("process queued rows until stopped; run as many as you like")
    .description(
      "Process queued rows of any batch until stopped (Ctrl-C or SIGTERM). Run as many as you like, on as many machines.",
    )
    .option("--out <dir>", "write each batch's images under <dir>/<batch id>/ instead of the directory stored with the batch");
  addWorkerOptions(command, 200)
    .addHelpText(
      "after",
      "\nExample:\n  REDIS_URL=redis://queue.internal:6379 RUNFLOW_API_KEY=rf_live_… runflow-batch worker --concurrency 500",
    )
    .action(async (flags: WorkerFlags & { out?: string }) => {
      ctx.handlesStop();
      const settings = { ...parseWorkerFlags(flags, 200), out: flags.out };
      const { work } = await import("../commands/work.js");
      await work(ctx, settings);
    });
}
