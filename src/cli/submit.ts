/** `runflow-batch submit <manifest>`: flags and help; the use case is src/commands/submit.ts. */
import type { Command } from "commander";
import type { CommandContext } from "../commands/context.js";
import { addBatchOptions, parseBatchFlags, type BatchFlags } from "./flags/batch-flags.js";

export function registerSubmit(program: Command, ctx: CommandContext): void {
  addBatchOptions(
    program
      .command("submit")
      .summary("validate and enqueue a manifest; prints the batch id")
      .description(
        "Validate a manifest and enqueue its rows for workers; prints the batch id. " +
          "Submitting the same rows again adds nothing.",
      )
      .argument("<manifest>", "CSV, JSON or JSONL manifest; - reads stdin")
      .option(
        "--out <dir>",
        "the batch's directory: where workers write images and reports (or name the batch with --batch)",
      ),
  )
    .addHelpText(
      "after",
      "\nExample:\n  BATCH=$(runflow-batch submit jobs/catalogue.csv --max-cost 25) && runflow-batch worker",
    )
    .action(async (manifest: string, flags: BatchFlags) => {
      const settings = { ...(await parseBatchFlags(manifest, flags)), out: flags.out };
      const { submit } = await import("../commands/submit.js");
      await submit(ctx, settings);
    });
}
