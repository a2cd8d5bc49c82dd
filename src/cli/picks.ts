/** `runflow-batch picks BATCH`: flags and help; the use case is src/commands/picks.ts. */
import type { Command } from "commander";
import type { CommandContext } from "../commands/context.js";
import { UsageError } from "../core/errors.js";

const HELP = `
A pick is a reviewer's verdict on one image: picked or rejected. report.html keeps picks in the
browser and exports them as picks.csv; the dashboard (with --allow-actions) keeps them on the
batch in Redis, shared by every reviewer. This command reads and writes the same file:

  id,image,pick,note
  chair,2,pick,warmer light
  chair,3,reject,

image is the 1-based number of the row's image (images/<id>-<n>.<ext>, or images/<id>.<ext>
for a row with one image: image 1); pick is pick or reject; rejects are listed; an image with
no verdict is not. --import replaces the batch's picks with the file's (the file is the whole
review); with --merge it only sets the verdicts the file gives. Nothing is imported when any
line is wrong or names an image the batch does not have.

Examples:
  runflow-batch picks out/drafts                       print the batch's picks as picks.csv
  runflow-batch picks out/drafts --import picks.csv    the file's picks become the batch's
  runflow-batch picks b-1a2b3c4d5e6f --export picks.csv`;

export function registerPicks(program: Command, ctx: CommandContext): void {
  program
    .command("picks")
    .summary("the images reviewers picked or rejected in a batch (picks.csv)")
    .description("Read or write a batch's picks: the images reviewers picked or rejected, as picks.csv.")
    .argument("<batch>", "batch id (see `runflow-batch status`) or the batch's directory")
    .option("--import <file>", "set the batch's picks from this picks.csv (replaces them; see --merge)")
    .option("--merge", "with --import: keep the batch's verdicts on images the file does not list")
    .option("--export <file>", "write the batch's picks to this file (default: print them)")
    .addHelpText("after", HELP)
    .action(async (batch: string, flags: { import?: string; export?: string; merge?: boolean }) => {
      if (flags.merge && flags.import === undefined)
        throw new UsageError(
          "--merge goes with --import FILE: it says how the file's picks join the batch's",
        );
      const { picks } = await import("../commands/picks.js");
      await picks(ctx, {
        batch,
        importFile: flags.import,
        merge: flags.merge === true,
        exportFile: flags.export,
      });
    });
}
