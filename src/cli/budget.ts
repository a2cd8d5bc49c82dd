/** `runflow-batch budget BATCH --max-cost USD`: raise, lower or remove a batch's cap. */
import type { Command } from "commander";
import { UsageError } from "../core/errors.js";
import { formatUsd } from "../core/money.js";
import type { CliContext } from "./context.js";
import { parseUsdFlag } from "./parse-flags.js";
import { loadQueueKit } from "./load-queue-kit.js";

export function registerBudget(program: Command, ctx: CliContext): void {
  program
    .command("budget")
      .summary("raise, lower or remove a batch's budget cap")
    .description("Change a batch's budget cap; rows held back by the old cap are picked up at once by running workers.")
    .argument("<batch>", "batch id (see `runflow-batch status`)")
    .option("--max-cost <usd>", "the new cap in dollars, e.g. 250")
    .option("--no-cap", "remove the cap")
    .addHelpText("after", "\nExamples:\n  runflow-batch budget b-1a2b3c4d5e6f --max-cost 250\n  runflow-batch budget b-1a2b3c4d5e6f --no-cap")
    .action(async (batchId: string, flags: { maxCost?: string; cap: boolean }) => {
      const cap = flags.cap ? parseUsdFlag("--max-cost", flags.maxCost) : null;
      if (flags.cap && cap === null) throw new UsageError("say the new cap with --max-cost USD, or remove it with --no-cap");
      const { openQueueDeps, createQueues, applyCap } = await loadQueueKit();
      const deps = await openQueueDeps(ctx.io);
      const queues = createQueues(deps.redis, deps.keys);
      try {
        const record = await deps.store.get(batchId);
        if (!record) throw new UsageError(`no batch "${batchId}" in Redis; list batches with \`runflow-batch status\``);
        const promoted = await applyCap(deps.store, queues, batchId, cap, deps.logger);
        const spent = formatUsd(record.spentMicros);
        ctx.io.stdout.write(
          `${batchId}: cap ${cap === null ? "removed" : `$${formatUsd(cap)}`} (spent $${spent}, reserved $${formatUsd(record.reservedMicros)}); ` +
            `${promoted} held rows released\n`,
        );
      } finally {
        await queues.close();
        await deps.close();
      }
    });
}
