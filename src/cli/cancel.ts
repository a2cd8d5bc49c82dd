/** `runflow-batch cancel BATCH`: flags and help; the use case is src/commands/cancel.ts. */
import type { Command } from "commander";
import type { CommandContext } from "../commands/context.js";
import { checkBatchId } from "../ledger/batch-id.js";
import { addRedisTimeoutOption, parseRedisTimeout } from "./flags/batch-flags.js";

export function registerCancel(program: Command, ctx: CommandContext): void {
  const command = program
    .command("cancel")
    .summary("stop a batch: submit nothing more, finish what is in flight, report")
    .description(
      "Stop a batch on purpose: nothing more is submitted; runs already in flight are waited for " +
        "(they are billed anyway) and recorded; the rest are listed as canceled in the reports; " +
        "the batch ends canceled, with its " +
        "reports and notification. Running the same run or submit again later does the canceled rows.",
    )
    .argument("<batch>", "batch id (see `runflow-batch status`, or DIR/.runflow-batch.json)")
    .option(
      "--no-wait",
      "return once nothing more is submitted; the batch ends when its runs in flight finish",
    );
  addRedisTimeoutOption(command)
    .addHelpText("after", "\nExample:\n  runflow-batch cancel b-1a2b3c4d5e6f")
    .action(async (batch: string, flags: { wait: boolean; redisTimeout?: string }) => {
      ctx.handlesStop();
      const settings = {
        batchId: checkBatchId(batch),
        noWait: !flags.wait,
        redisTimeoutMs: parseRedisTimeout(flags),
      };
      const { cancel } = await import("../commands/cancel.js");
      await cancel(ctx, settings);
    });
}
