/**
 * `estimate MANIFEST [--out DIR]`: the manifest's one pass, and with --out the plan a `run` into
 * DIR would carry out, as a dry run — no network; Redis only to read what DIR's batch holds
 * (DIR/.runflow-batch.json names it), nothing written. A DIR that holds no batch yet means every
 * row is new; a DIR whose batch Redis lost shows the rows it would adopt.
 */
import { readStorageConfig } from "../../config/storage.js";
import { resolveOut } from "../../core/out-location.js";
import { allNewPlan, type Plan } from "../../ledger/plan.js";
import type { ManifestSource } from "../../manifest/source.js";
import { readMarker } from "../../outdir/marker.js";
import type { BatchStore } from "../../outdir/store.js";
import { createStoreOpener } from "../../outdir/stores.js";
import type { ManifestScan } from "../../pricing/scan.js";
import type { PriceTable } from "../../pricing/table.js";
import { openQueueDeps, type QueueDeps } from "../../runtime/deps.js";
import type { CommandIo } from "../../runtime/io.js";
import { readDirectoryEvidence } from "./directory-evidence.js";
import { readManifest, type RowSource } from "./manifest-pass.js";
import { createPlanner, type Planner } from "./plan-batch.js";

export interface DryRun {
  readonly scan: ManifestScan;
  /** With an output directory: what running the manifest into it would do. */
  readonly plan: Plan | null;
}

async function plannerFor(deps: QueueDeps, outDir: BatchStore, batchId: string): Promise<Planner> {
  const record = await deps.ledger.batches.get(batchId);
  const evidence = await readDirectoryEvidence(outDir, record);
  return createPlanner({ ledger: deps.ledger, batchId, outDir, evidence, known: record !== null });
}

export async function dryRun(
  io: CommandIo,
  o: { out: string | undefined; source: ManifestSource | RowSource; prices: PriceTable },
): Promise<DryRun> {
  if (o.out === undefined) return { scan: (await readManifest(o.source, o.prices)).scan, plan: null };
  const stores = createStoreOpener({ storage: () => readStorageConfig(io.env) });
  try {
    const outDir = stores.open(resolveOut(o.out));
    await outDir.probe();
    const marker = await readMarker(outDir);
    if (marker === null) {
      const { scan } = await readManifest(o.source, o.prices);
      return { scan, plan: allNewPlan(scan.validRows, scan.cost.estimatedMicros) };
    }
    const deps = await openQueueDeps(io);
    try {
      const planner = await plannerFor(deps, outDir, marker.batch);
      const { scan } = await readManifest(o.source, o.prices, [
        (rows) => planner.addChunk(rows.map((r) => r.planned)),
      ]);
      return { scan, plan: (await planner.finish()).plan };
    } finally {
      await deps.close();
    }
  } finally {
    await stores.close();
  }
}
