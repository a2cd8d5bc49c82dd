/**
 * `runflow-batch estimate <manifest>`: validate and price every row — no Redis, no network.
 * Invalid rows are all listed on stderr; without --skip-invalid they stop the command (exit 2).
 */
import { Option, type Command } from "commander";
import { formatProblems, scanManifest, type ManifestScan } from "../manifest/index.js";
import { costAtEachTier } from "../pricing/what-if.js";
import { addManifestOptions, parseManifestFlags, type BatchFlags } from "./batch-flags.js";
import type { CliContext } from "./context.js";
import { estimateJson, renderEstimateTable } from "./estimate-output.js";

interface EstimateOptions extends BatchFlags {
  readonly format: "table" | "json";
}

const EXAMPLES = `
Examples:
  runflow-batch estimate jobs/catalogue.csv
  runflow-batch estimate jobs/catalogue.csv --format json > estimate.json
  runflow-batch estimate prompts.csv --model openai/gpt-image-2 --quality low
  runflow-batch estimate export.txt --input-format jsonl --skip-invalid
  runflow-batch estimate jobs/lookbook.json --prices my-prices.json

--model and --quality fill rows that leave them empty; a row's own value always wins, and they
beat a JSON manifest's "defaults". Without either, rows take the model's default tier (high).

A prices file replaces built-in prices per model and tier:
  {"openai/gpt-image-2": {"low": "0.009", "medium": "0.034", "high": "0.133"},
   "runflow/tag-removal": {"request": "0.14"}}

Exit codes: 0 priced; 2 invalid manifest or rows (every problem listed on stderr), bad options.`;

function reportProblems(ctx: CliContext, scan: ManifestScan): void {
  const rows = `${scan.invalidRows.toLocaleString("en-US")} of ${scan.rows.toLocaleString("en-US")} row${scan.rows === 1 ? "" : "s"}`;
  const problems = `${scan.problemCount.toLocaleString("en-US")} problem${scan.problemCount === 1 ? "" : "s"}`;
  ctx.io.stderr.write(`${scan.file}: ${rows} invalid (${problems}):\n${formatProblems(scan.problems, undefined, scan.problemCount)}\n`);
}

export function registerEstimate(program: Command, ctx: CliContext): void {
  addManifestOptions(
    program
      .command("estimate")
      .summary("validate and price a manifest (no Redis, no network)")
      .description("Validate every row of a manifest and print what it would cost, per model and quality tier. No Redis, no network, nothing is submitted.")
      .argument("<manifest>", "the manifest: .csv (header row), .json (array or {defaults, jobs}) or .jsonl")
      .addOption(new Option("--format <format>", "output: a table for people, or json for scripts").choices(["table", "json"]).default("table")),
  )
    .addHelpText("after", EXAMPLES)
    .action(async (manifest: string, options: EstimateOptions) => {
      const { manifest: reading, prices } = await parseManifestFlags(options);
      const scan = await scanManifest(manifest, { ...reading, prices });
      if (scan.problemCount > 0) {
        reportProblems(ctx, scan);
        if (!options.skipInvalid) {
          ctx.io.stderr.write("Nothing was priced: fix the rows above, or pass --skip-invalid to price only the valid rows.\n");
          ctx.setExitCode(2);
          return;
        }
        if (scan.validRows === 0) {
          ctx.io.stderr.write("No valid rows to price.\n");
          ctx.setExitCode(2);
          return;
        }
      }
      const scenarios = costAtEachTier(scan.cost, prices);
      if (options.format === "json") ctx.io.stdout.write(`${JSON.stringify(estimateJson(scan, scenarios), null, 2)}\n`);
      else ctx.io.stdout.write(renderEstimateTable(scan, scenarios, options.skipInvalid === true));
    });
}
