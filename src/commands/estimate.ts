/**
 * `estimate`: validate and price every row of a manifest — no network; Redis only to read the plan
 * of `--out DIR`. Read (one streamed pass) → compute (what each tier would cost) → write (a table or JSON).
 * Invalid rows are all listed on stderr; without --skip-invalid they stop the command (exit 2).
 */
import { ManifestError, manifestErrorJson, problemsJson } from "../manifest/index.js";
import { EXIT } from "../core/exit-codes.js";
import { prepareSource } from "../feed/prepare.js";
import { manifestLine, renderSample } from "../feed/rendered.js";
import { sampleRows } from "../feed/sample.js";
import { delimiterNote } from "../manifest/delimiter.js";
import { formatProblems } from "../manifest/problems.js";
import type { ManifestScan } from "../pricing/scan.js";
import { costAtEachTier } from "../pricing/what-if.js";
import { estimateJson, renderEstimateTable } from "../report/estimate-view.js";
import type { CommandContext } from "./context.js";
import type { ManifestSettings } from "../batch/settings.js";
import { planJson, planLine } from "../ledger/plan.js";
import { dryRun } from "../batch/open/dry-run-plan.js";

export interface EstimateSettings extends ManifestSettings {
  readonly format: "table" | "json";
  /** Also state the plan of bringing this directory up to date (a dry run of `run --out DIR`). */
  readonly out: string | undefined;
  /** Also show the first N rows as they will be sent (`--show N`; 0: none). */
  readonly show?: number;
}

function reportProblems(ctx: CommandContext, scan: ManifestScan): void {
  const plural = (n: number, word: string) => `${n.toLocaleString("en-US")} ${word}${n === 1 ? "" : "s"}`;
  const rows = `${scan.invalidRows.toLocaleString("en-US")} of ${plural(scan.rows, "row")}`;
  const list = formatProblems(scan.problems, undefined, scan.problemCount);
  ctx.io.stderr.write(`${scan.file}: ${rows} invalid (${plural(scan.problemCount, "problem")}):\n${list}\n`);
}

export async function estimate(ctx: CommandContext, given: EstimateSettings): Promise<void> {
  // `-`: stdin, spooled; a URL fetched; a feed's recipe checked, why its rows changed said
  const settings = { ...given, source: await prepareSource(given.source, ctx.io, { out: given.out }) };
  const json = (value: unknown) => ctx.io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  const { scan, plan } = await dryRun(ctx.io, settings).catch((error: unknown) => {
    if (settings.format === "json" && error instanceof ManifestError) json(manifestErrorJson(error)); // and exit 2
    throw error;
  });
  const note = delimiterNote(scan.file, scan.reading.delimiter, settings.source.delimiter);
  if (note) ctx.io.stderr.write(note + "\n");
  if (scan.problemCount > 0) {
    reportProblems(ctx, scan);
    if (settings.format === "json" && (!settings.skipInvalid || scan.validRows === 0))
      json(problemsJson(scan));
    if (!settings.skipInvalid) {
      ctx.io.stderr.write(
        "Nothing was priced: fix the rows above, or pass --skip-invalid to price only the valid rows.\n",
      );
      return ctx.setExitCode(EXIT.usage);
    }
    if (scan.validRows === 0) {
      ctx.io.stderr.write("No valid rows to price.\n");
      return ctx.setExitCode(EXIT.usage);
    }
  }
  const scenarios = costAtEachTier(scan.cost, settings.prices);
  const sample = settings.show ? await sampleRows(settings.source, settings.show) : null;
  if (settings.format === "json") {
    json({
      ...estimateJson(scan, scenarios),
      ...(plan === null ? {} : { plan: planJson(plan) }),
      ...(sample === null ? {} : { sample: sample.map(manifestLine) }),
    });
    return;
  }
  ctx.io.stdout.write(renderEstimateTable(scan, scenarios, settings.skipInvalid));
  if (plan !== null && settings.out !== undefined)
    ctx.io.stdout.write(`\nPlan: ${planLine(settings.out, plan)}\n`);
  if (sample !== null) ctx.io.stdout.write(`\n${renderSample(sample, scan.validRows)}`);
}
