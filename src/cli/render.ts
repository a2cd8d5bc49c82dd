/** `runflow-batch render <feed> --recipe FILE`: flags and help; the use case is src/commands/render.ts. */
import { Option, type Command } from "commander";
import type { CommandContext } from "../commands/context.js";
import { parseManifestFlags, type BatchFlags } from "./flags/batch-flags.js";
import { MANIFEST_FORMATS } from "../manifest/index.js";

const EXAMPLES = `
Examples:
  runflow-batch render jobs/shopify-products.csv --recipe jobs/shopify.recipe.yaml -o rendered.jsonl
  runflow-batch render jobs/merchant-feed.xml --recipe jobs/merchant.recipe.yaml | head -3
  runflow-batch estimate rendered.jsonl        (the rendered file is itself a manifest)

Exit codes: 0 rendered; 2 an invalid recipe, feed or rows (every problem listed on stderr; no file written).`;

export function registerRender(program: Command, ctx: CommandContext): void {
  program
    .command("render")
    .summary("render a product feed through a recipe into manifest rows (JSONL), to review before paying")
    .description(
      "Render every row of a product feed through a recipe into the job rows it makes, one JSON object " +
        "per line: review, diff and commit them before paying. Nothing is priced or sent.",
    )
    .argument("<feed>", "the product feed: CSV, TSV, JSON, JSONL or XML (a file or an https:// URL)")
    .requiredOption("--recipe <file>", "the recipe (*.recipe.yaml) that turns each feed row into job rows")
    .option("-o, --output <file>", "write the rows to this file (default: standard output)")
    .addOption(
      new Option("--input-format <format>", "read the feed as this format instead of its extension").choices(
        MANIFEST_FORMATS,
      ),
    )
    .option("--delimiter <char>", "CSV field separator (default: read from the header line)")
    .option(
      "--encoding <name>",
      "the feed's text encoding, e.g. windows-1252 (default UTF-8 or the recipe's)",
    )
    .option(
      "--skip-invalid",
      "write the valid rows and list the invalid ones (default: invalid rows stop it)",
    )
    .addHelpText("after", EXAMPLES)
    .action(async (feed: string, flags: BatchFlags & { output?: string }) => {
      const { source, skipInvalid } = await parseManifestFlags(feed, flags);
      const { render } = await import("../commands/render.js");
      await render(ctx, { source, skipInvalid, output: flags.output });
    });
}
