/** `runflow-batch estimate <manifest>`: flags and help; the use case is src/commands/estimate.ts. */
import { Option, type Command } from "commander";
import type { CommandContext } from "../commands/context.js";
import { addManifestOptions, parseManifestFlags, type BatchFlags } from "./flags/batch-flags.js";
import { parsePositiveInt } from "./flags/parse-flags.js";

const EXAMPLES = `
Examples:
  runflow-batch estimate jobs/catalogue.csv
  runflow-batch estimate jobs/catalogue.csv --format json > estimate.json
  runflow-batch estimate jobs/catalogue.csv --out out/catalogue   (what a re-run would do and cost)
  runflow-batch estimate prompts.csv --model openai/gpt-image-2 --quality low
  runflow-batch estimate export.txt --input-format jsonl --skip-invalid
  runflow-batch estimate excel-export.csv --encoding windows-1252   # ; separators are detected
  cat jobs.jsonl | runflow-batch estimate - --format json
  runflow-batch estimate jobs/lookbook.json --prices my-prices.json
  runflow-batch estimate jobs/shopify-products.csv --recipe jobs/shopify.recipe.yaml --show 3

--model and --quality fill rows that leave them empty; a row's own value always wins, and they
beat a JSON manifest's "defaults". Without either, rows take the model's default tier (high).

A prices file replaces built-in prices per model and tier:
  {"openai/gpt-image-2": {"low": "0.009", "medium": "0.034", "high": "0.133"},
   "runflow/tag-removal": {"request": "0.14"}}

Exit codes: 0 priced; 2 invalid manifest or rows (every problem listed on stderr), bad options.`;

export function registerEstimate(program: Command, ctx: CommandContext): void {
  addManifestOptions(
    program
      .command("estimate")
      .summary("validate and price a manifest (no Redis, no network)")
      .description(
        "Validate every row of a manifest and print what it would cost, per model and quality tier. " +
          "No Redis, no network, nothing is submitted.",
      )
      .argument(
        "<manifest>",
        "the manifest: .csv (header row), .json (array or {defaults, jobs}) or .jsonl; - reads stdin; " +
          "with --recipe, a product feed (file or https:// URL)",
      )
      .addOption(
        new Option("--format <format>", "output: a table for people, or json for scripts")
          .choices(["table", "json"])
          .default("table"),
      )
      .option(
        "--out <dir>",
        "also say what `run --out DIR` would do: rows up to date, changed, to retry (a dry run; no network)",
      )
      .option("--show <n>", "also print the first N rows as they will be sent (rendered prompts of a feed)"),
  )
    .addHelpText("after", EXAMPLES)
    .action(async (manifest: string, flags: BatchFlags & { format: "table" | "json"; show?: string }) => {
      const settings = {
        ...(await parseManifestFlags(manifest, flags)),
        format: flags.format,
        out: flags.out,
        show: flags.show === undefined ? 0 : parsePositiveInt("--show", flags.show, 0),
      };
      const { estimate } = await import("../commands/estimate.js");
      await estimate(ctx, settings);
    });
}
