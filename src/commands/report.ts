/**
 * `report`: write a batch's reports into its directory, finished or not. The directory is the
 * truth: images a succeeded row records but the directory lacks are downloaded again first while
 * Runflow still has them (a rehearsal's from its simulator journal), and the reports list only
 * files that are there.
 */
import { UsageError } from "../core/errors.js";
import { resolveOut } from "../core/out-location.js";
import { sameBinding, SIMULATOR_ENDPOINT } from "../ledger/binding.js";
import type { BatchRecord } from "../ledger/batch-record.js";
import { reportSummaryLine } from "../report/summary-line.js";
import type { Simulator } from "../simulator/index.js";
import type { CommandContext } from "./context.js";
import { restoreImages } from "../batch/open/apply-plan.js";
import { bindingOf, clientFor, openQueueDeps, type QueueDeps } from "../runtime/deps.js";
import { startRehearsal } from "../batch/run/rehearsal.js";
import { writeReports } from "../batch/end/write-reports.js";

/** Succeeded rows with an image missing from the directory (one view of it: one listing in object storage). */
async function missingImages(deps: QueueDeps, record: BatchRecord) {
  const view = deps.stores.open(record.submission.out).view();
  const rows: { row: string; runId: string; images: number }[] = [];
  for await (const result of deps.ledger.results.scanResults(record.id)) {
    if (result.status !== "succeeded" || !result.run_id) continue;
    const found = await Promise.all(result.images.map((image) => view.has(image)));
    if (!found.every(Boolean))
      rows.push({ row: result.id, runId: result.run_id, images: result.images.length });
  }
  return rows;
}

/** Downloads missing images again when this process can reach the batch's endpoint as its account. */
async function restore(ctx: CommandContext, deps: QueueDeps, record: BatchRecord): Promise<void> {
  const rows = await missingImages(deps, record);
  if (rows.length === 0) return;
  const bound = record.submission.binding;
  const rehearsal = bound.endpoint === SIMULATOR_ENDPOINT;
  if (!rehearsal && (!deps.config.runflowApiKey || !sameBinding(bound, bindingOf(deps.config, false)))) {
    ctx.io.stderr.write(
      `${rows.length} rows' images are missing from ${record.submission.out}; ` +
        "set the batch's RUNFLOW_BASE_URL and RUNFLOW_API_KEY to download them again, or run the batch again.\n",
    );
    return;
  }
  let simulator: Simulator | null = null;
  try {
    if (rehearsal)
      simulator = await startRehearsal({
        outDir: record.submission.out,
        latencyMs: 0,
        failRate: 0,
        logger: deps.logger,
      });
    const client = clientFor(deps, simulator);
    try {
      const done = await restoreImages({
        client,
        rows,
        outDir: deps.stores.open(record.submission.out),
        logger: deps.logger,
        batchId: record.id,
      });
      ctx.io.stderr.write(
        `Downloaded the images of ${done.restored} of ${rows.length} rows again (no new runs).\n`,
      );
      if (done.lost.length > 0)
        ctx.io.stderr.write(
          `Runflow no longer has the images of ${done.lost.length} rows; \`run\` or \`retry\` runs them again.\n`,
        );
    } finally {
      await client.close();
    }
  } finally {
    await simulator?.close();
  }
}

export async function report(
  ctx: CommandContext,
  settings: { readonly batchId: string; readonly out: string | undefined },
): Promise<void> {
  const deps = await openQueueDeps(ctx.io);
  try {
    const record = await deps.ledger.batches.get(settings.batchId);
    if (!record)
      throw new UsageError(
        `no batch "${settings.batchId}" in Redis; list batches with \`runflow-batch status\``,
      );
    const out = record.submission.out;
    if (settings.out !== undefined && resolveOut(settings.out) !== out) {
      throw new UsageError(
        `batch ${record.id}'s directory is ${out}: its reports go there, beside the images they link to. ` +
          `Leave out --out, or pass --out ${out}.`,
      );
    }
    await restore(ctx, deps, record);
    const written = await writeReports(deps, record.id, out);
    ctx.io.stdout.write(reportSummaryLine(written.input, settings.out ?? out));
  } finally {
    await deps.close();
  }
}
