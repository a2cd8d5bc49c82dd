/** `runflow-batch report BATCH --out DIR`: flags and help; the use case is src/commands/report.ts. */
import type { Command } from "commander";
import type { CommandContext } from "../commands/context.js";

export function registerReport(program: Command, ctx: CommandContext): void {
  program
    .command("report")
    .summary("write a batch's reports, finished or not")
    .description(
      "Write results.jsonl, results.csv, cost-report.json, cost-report.md and report.html " +
        "for a batch (finished or not).",
    )
    .argument("<batch>", "batch id (see `runflow-batch status`)")
    .option("--out <dir>", "the batch's directory (default: the one it was made for; another is refused)")
    .addHelpText("after", "\nExample:\n  runflow-batch report b-1a2b3c4d5e6f")
    .action(async (batchId: string, flags: { out?: string }) => {
      const { report } = await import("../commands/report.js");
      await report(ctx, { batchId, out: flags.out });
    });
}
