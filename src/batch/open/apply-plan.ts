/**
 * Carrying out a batch's plan (plan-batch.ts) before its rows are queued: rows the directory
 * proves done are adopted back into the ledger (their results, run ids and costs as recorded),
 * failed and changed rows are reopened as new attempts, rows the manifest no longer has are
 * retired (listed as removed), and images missing from the directory are downloaded again from
 * Runflow — no new run, nothing billed. A row whose images Runflow no longer serves either runs
 * again as a new attempt.
 */
import pLimit from "p-limit";
import type { Ledger } from "../../ledger/ledger.js";
import type { Logger } from "../../log/logger.js";
import type { BatchStore } from "../../outdir/store.js";
import type { RunflowClient } from "../../runflow/types.js";
import { outputsGone } from "../../runflow/retry-policy.js";
import { downloadOutputs } from "../../worker/outputs.js";
import type { BatchPlan } from "./plan-batch.js";

export interface AppliedPlan {
  /** Rows whose images were downloaded again. */
  readonly restored: number;
  /** Rows whose images Runflow no longer has: they run again. */
  readonly lost: readonly string[];
  /** Rows whose images could not be fetched this time (network, 5xx): tried again on the next run. */
  readonly later: number;
}

export async function applyPlan(o: {
  readonly ledger: Pick<Ledger, "rows">;
  readonly batchId: string;
  readonly plan: BatchPlan;
  readonly client: RunflowClient | null;
  readonly outDir: string | BatchStore;
  readonly logger: Logger;
}): Promise<AppliedPlan> {
  const { ledger, batchId, plan } = o;
  for (let i = 0; i < plan.adopt.length; i += 500)
    await ledger.rows.adopt(batchId, plan.adopt.slice(i, i + 500));
  for (let i = 0; i < plan.again.length; i += 500)
    await ledger.rows.reopen(batchId, plan.again.slice(i, i + 500), "again");
  for (let i = 0; i < plan.removed.length; i += 500)
    await ledger.rows.reopen(batchId, plan.removed.slice(i, i + 500), "retire");
  if (plan.restore.length === 0 || o.client === null) return { restored: 0, lost: [], later: 0 };
  const { restored, lost, later } = await restoreImages({
    client: o.client,
    rows: plan.restore,
    outDir: o.outDir,
    logger: o.logger,
    batchId,
  });
  if (lost.length > 0) await ledger.rows.reopen(batchId, lost, "again");
  return { restored, lost, later };
}

/**
 * Downloads the images of succeeded rows again from their runs (fresh URLs from re-reading each
 * run): no new run, nothing billed. `lost`: Runflow no longer has them; `later`: a passing fault.
 */
export async function restoreImages(o: {
  readonly client: RunflowClient;
  readonly rows: readonly { readonly row: string; readonly runId: string; readonly images: number }[];
  readonly outDir: string | BatchStore;
  readonly logger: Logger;
  readonly batchId: string;
}): Promise<AppliedPlan> {
  const { client, batchId } = o;
  const downloads = pLimit(16);
  const lost: string[] = [];
  let restored = 0;
  let later = 0;
  await Promise.all(
    o.rows.map(async ({ row, runId, images }) => {
      try {
        const run = await client.getRun(runId);
        if (run.outputUrls.length < images) {
          lost.push(row);
          return;
        }
        await downloadOutputs(client, run, row, o.outDir, downloads);
        restored += 1;
      } catch (err) {
        if (outputsGone(err)) {
          o.logger.warn({ err, batch: batchId, row, runId }, "Runflow no longer has this row's images.");
          lost.push(row);
        } else {
          o.logger.warn(
            { err, batch: batchId, row, runId },
            "Could not download this row's images again now; the next run tries again.",
          );
          later += 1;
        }
      }
    }),
  );
  return { restored, lost, later };
}
