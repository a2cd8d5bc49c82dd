/** `runflow-batch report BATCH --out DIR`: write a batch's reports, finished or not. */
import type { Command } from "commander";
import type { CliContext } from "./context.js";
import { loadQueueKit } from "./load-queue-kit.js";
import { reportSummaryLine } from "./summary.js";

export function registerReport(program: Command, ctx: CliContext): void {
  program
    .command("report")
      .summary("write a batch's reports, finished or not")
    .description("Write results.jsonl, results.csv, cost-report.json and cost-report.md for a batch (finished or not).")
    .argument("<batch>", "batch id (see `runflow-batch status`)")
    .requiredOption("--out <dir>", "directory to write the reports into")
    .addHelpText("after", "\nExample:\n  runflow-batch report b-1a2b3c4d5e6f --out out/catalogue")
    .action(async (batchId: string, flags: { out: string }) => {
      const { openQueueDeps, writeReports } = await loadQueueKit();
      const deps = await openQueueDeps(ctx.io);
      try {
        const written = await writeReports(deps.store, batchId, flags.out);
        ctx.io.stdout.write(reportSummaryLine(written.input, flags.out));
      } finally {
        await deps.close();
      }
    });
}
