/** `runflow-batch worker`: flags and help; the use case is src/commands/work.ts. */
import type { Command } from "commander";
import type { CommandContext } from "../commands/context.js";
import { CONCURRENCY_DEFAULTS } from "../config/defaults.js";
import { checkBatchId } from "../ledger/batch-id.js";
import { addRedisTimeoutOption, parseRedisTimeout } from "./flags/batch-flags.js";
import { addWorkerOptions, parseWorkerFlags, type WorkerFlags } from "./flags/worker-flags.js";

export function registerWorker(program: Command, ctx: CommandContext): void {
  const command = program
    .command("worker")
    .summary("process queued rows until stopped; run as many as you like")
    .description(
      "Process queued rows until stopped (Ctrl-C or SIGTERM): " +
        "of every batch submitted for this endpoint and account, " +
        "or of one (--batch). Run as many as you like, on as many machines.",
    )
    .option(
      "--batch <id>",
      "serve this batch only (default: every batch submitted for this RUNFLOW_BASE_URL and key)",
    );
  addRedisTimeoutOption(addWorkerOptions(command, CONCURRENCY_DEFAULTS.worker))
    .addHelpText(
      "after",
      "\nExample:\n" +
        "  REDIS_URL=redis://queue.internal:6379 RUNFLOW_API_KEY=rf_live_… runflow-batch worker --concurrency 500",
    )
    .action(async (flags: WorkerFlags & { batch?: string; redisTimeout?: string }) => {
      ctx.handlesStop();
      ctx.io.onPaidWork?.(); // rows with runs in flight: a stop waits to hand them back
      const settings = {
        ...parseWorkerFlags(flags, CONCURRENCY_DEFAULTS.worker),
        batchId: flags.batch === undefined ? undefined : checkBatchId(flags.batch),
        redisTimeoutMs: parseRedisTimeout(flags),
      };
      const { work } = await import("../commands/work.js");
      await work(ctx, settings);
    });
}
