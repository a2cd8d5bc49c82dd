/** `runflow-batch budget BATCH --max-cost USD`: flags and help; the use case is src/commands/budget.ts. */
import type { Command } from "commander";
import type { CommandContext } from "../commands/context.js";
import { UsageError } from "../core/errors.js";
import { parseUsdFlag } from "./flags/parse-flags.js";

export function registerBudget(program: Command, ctx: CommandContext): void {
  program
    .command("budget")
    .summary("raise, lower or remove a batch's budget cap")
    .description(
      "Change a batch's budget cap; rows held back by the old cap are picked up at once by running workers.",
    )
    .argument("<batch>", "batch id (see `runflow-batch status`)")
    .option("--max-cost <usd>", "the new cap in dollars, e.g. 250")
    .option("--no-cap", "remove the cap")
    .addHelpText(
      "after",
      "\nExamples:\n  runflow-batch budget b-1a2b3c4d5e6f --max-cost 250\n" +
        "  runflow-batch budget b-1a2b3c4d5e6f --no-cap",
    )
    .action(async (batchId: string, flags: { maxCost?: string; cap: boolean }) => {
      const capMicros = flags.cap ? parseUsdFlag("--max-cost", flags.maxCost) : null;
      if (flags.cap && capMicros === null)
        throw new UsageError("say the new cap with --max-cost USD, or remove it with --no-cap");
      const { budget } = await import("../commands/budget.js");
      await budget(ctx, { batchId, capMicros });
    });
}
