/**
 * What re-running a directory's batch will do, row by row (ledger/plan.ts), worked out before
 * anything is submitted: read the manifest once (pricedRowBatches), look up each chunk's recorded
 * results and run ids in Redis, and check on disk that every image a succeeded row records is
 * still in the directory. Rows the ledger has but the manifest no longer has are `removed`.
 * Reads only; applyPlan (apply-plan.ts) carries it out.
 */
import { access } from "node:fs/promises";
import path from "node:path";
import pLimit from "p-limit";
import type { Ledger } from "../../ledger/ledger.js";
import {
  createPlanAccumulator,
  planRow,
  rowContentSha,
  type Plan,
  type RecordedRow,
} from "../../ledger/plan.js";
import { KeyRegistry } from "../../manifest/key-registry.js";
import type { ManifestSource } from "../../manifest/source.js";
import { pricedRowBatches } from "../../pricing/priced-rows.js";
import type { PriceTable } from "../../pricing/table.js";
import type { StoredResult } from "../../ledger/stored-result.js";

export interface BatchPlan {
  readonly plan: Plan;
  /** Failed or changed rows: each runs again as a new attempt. */
  readonly again: readonly string[];
  /** Succeeded rows with an image missing from the directory: their run and where it goes. */
  readonly restore: readonly { readonly row: string; readonly runId: string; readonly images: number }[];
  /** Recorded rows the manifest no longer has. */
  readonly removed: readonly string[];
}

async function allPresent(outDir: string, images: readonly string[]): Promise<boolean> {
  for (const image of images) {
    try {
      await access(path.join(outDir, image));
    } catch {
      return false;
    }
  }
  return true;
}

function recordedRow(result: StoredResult, imagesOnDisk: boolean): RecordedRow {
  return { status: result.status, contentSha: result.content_sha ?? null, imagesOnDisk };
}

export async function planBatch(o: {
  readonly ledger: Pick<Ledger, "results">;
  readonly batchId: string;
  readonly source: ManifestSource;
  readonly prices: PriceTable;
  readonly outDir: string;
}): Promise<BatchPlan> {
  const acc = createPlanAccumulator();
  const seen = new KeyRegistry();
  const again: string[] = [];
  const restore: { row: string; runId: string; images: number }[] = [];
  const checks = pLimit(32);
  for await (const items of pricedRowBatches(o.source, o.prices)) {
    const rows = items.flatMap((item) => (item.ok ? [item] : []));
    if (rows.length === 0) continue;
    const keys = rows.map((item) => item.row.key);
    const [results, runIds] = await Promise.all([
      o.ledger.results.results(o.batchId, keys),
      o.ledger.results.runIds(o.batchId, keys),
    ]);
    const onDisk = await Promise.all(
      results.map((result) =>
        result?.status === "succeeded" ? checks(() => allPresent(o.outDir, result.images)) : false,
      ),
    );
    rows.forEach((item, i) => {
      seen.claim(item.row.key, 0);
      const result = results[i] ?? null;
      const plan = planRow(
        rowContentSha(item.row),
        result && recordedRow(result, onDisk[i] ?? false),
        runIds[i] != null,
      );
      acc.add(plan, item.estimateMicros);
      if (plan === "changed" || plan === "retry") again.push(item.row.key);
      if (plan === "restore" && result?.run_id)
        restore.push({ row: item.row.key, runId: result.run_id, images: result.images.length });
    });
  }
  const removed: string[] = [];
  for await (const result of o.ledger.results.scanResults(o.batchId)) {
    if (seen.claim(result.id, 0) === null) removed.push(result.id);
  }
  return { plan: acc.finish(removed.length), again, restore, removed };
}
