/**
 * `estimate MANIFEST --out DIR`: the plan a `run` into DIR would carry out, as a dry run — no
 * network; Redis only to read what DIR's batch holds (DIR/.runflow-batch.json names it). A DIR
 * that holds no batch yet means every row is new.
 */
import path from "node:path";
import { allNewPlan, type Plan } from "../../ledger/plan.js";
import type { ManifestSource } from "../../manifest/source.js";
import { readMarker } from "../../outdir/marker.js";
import type { ManifestScan } from "../../pricing/scan.js";
import type { PriceTable } from "../../pricing/table.js";
import type { CommandIo } from "../../runtime/io.js";
import { planBatch } from "./plan-batch.js";
import { openQueueDeps } from "../../runtime/deps.js";

export async function dryRunPlan(
  io: CommandIo,
  o: { out: string; source: ManifestSource; prices: PriceTable; scan: ManifestScan },
): Promise<Plan> {
  const outDir = path.resolve(o.out);
  const marker = await readMarker(outDir);
  const fresh = allNewPlan(o.scan.validRows, o.scan.cost.estimatedMicros);
  if (marker === null) return fresh;
  const deps = await openQueueDeps(io);
  try {
    const record = await deps.ledger.batches.get(marker.batch);
    if (record === null) return fresh;
    return (
      await planBatch({
        ledger: deps.ledger,
        batchId: marker.batch,
        source: o.source,
        prices: o.prices,
        outDir,
      })
    ).plan;
  } finally {
    await deps.close();
  }
}
