/**
 * What re-running a directory's batch will do, row by row (ledger/plan.ts), worked out during the
 * manifest pass (manifest-pass.ts hands each chunk of valid rows here): each chunk's recorded
 * results, run ids and earlier rows are looked up in Redis, and every image a succeeded row
 * records is checked on disk. A row the ledger lost but the directory's results.jsonl records
 * (directory-evidence.ts) is adopted. Rows the ledger has but the manifest no longer has are
 * `removed`. Reads only; applyPlan (apply-plan.ts) carries it out.
 */
import pLimit from "p-limit";
import type { Ledger } from "../../ledger/ledger.js";
import { createPlanAccumulator, planRow, type Plan, type RowPlan } from "../../ledger/plan.js";
import type { StoredResult } from "../../ledger/stored-result.js";
import { KeyRegistry } from "../../manifest/key-registry.js";
import { allImagesPresent } from "../../outdir/images-on-disk.js";
import type { BatchStore } from "../../outdir/store.js";
import { asStore } from "../../outdir/stores.js";
import type { DirectoryEvidence } from "./directory-evidence.js";

export interface BatchPlan {
  readonly plan: Plan;
  /** Failed or changed rows: each runs again as a new attempt. */
  readonly again: readonly string[];
  /** Succeeded rows with an image missing from the directory: their run and where it goes. */
  readonly restore: readonly { readonly row: string; readonly runId: string; readonly images: number }[];
  /** Recorded rows the manifest no longer has. */
  readonly removed: readonly string[];
  /** Results taken back into the ledger from the directory (adopted, or adopted then restored). */
  readonly adopt: readonly StoredResult[];
}

/** A valid row of the pass, as the plan needs it. */
export interface PlannedRow {
  readonly key: string;
  readonly seq: number;
  readonly contentSha: string;
  readonly estimateMicros: number;
}

export interface Planner {
  addChunk(rows: readonly PlannedRow[]): Promise<void>;
  /** Once every row was added: the removed rows, and the plan. */
  finish(): Promise<BatchPlan>;
}

export interface PlannerOptions {
  readonly ledger: Pick<Ledger, "results" | "rowStore">;
  readonly batchId: string;
  /** The batch's directory (its store: one view of it per plan). */
  readonly outDir: string | BatchStore;
  /** The directory's own record of its rows, when the ledger lost some of them. */
  readonly evidence: DirectoryEvidence | null;
  /** The ledger holds the batch already; when not, no row has a result, a run or a place in it. */
  readonly known: boolean;
}

export function createPlanner(o: PlannerOptions): Planner {
  const acc = createPlanAccumulator();
  // Rows the manifest no longer has: only a batch the ledger held can have any.
  const seen = o.known ? new KeyRegistry() : null;
  const again: string[] = [];
  const restore: { row: string; runId: string; images: number }[] = [];
  const adopt: StoredResult[] = [];
  const checks = pLimit(32);
  const view = asStore(o.outDir).view();
  const onDisk = (images: readonly string[]) => checks(() => allImagesPresent(view, images));

  async function planChunk(rows: readonly PlannedRow[]): Promise<void> {
    const keys = rows.map((row) => row.key);
    const none = keys.map(() => null);
    const [results, runIds, inBatch] = o.known
      ? await Promise.all([
          o.ledger.results.results(o.batchId, keys),
          o.ledger.results.runIds(o.batchId, keys),
          o.ledger.rowStore.has(o.batchId, keys),
        ])
      : [none, none, keys.map(() => false)];
    // What the directory says of rows the ledger does not record (adopted when it checks out).
    const evidence = rows.map((row, i) =>
      results[i] || runIds[i] ? null : (o.evidence?.adoptable(row.key, row.contentSha, row.seq) ?? null),
    );
    const present = await Promise.all(
      rows.map((_, i) => {
        const images = results[i]?.status === "succeeded" ? results[i].images : evidence[i]?.images;
        return images ? onDisk(images) : false;
      }),
    );
    rows.forEach((row, i) => {
      seen?.claim(row.key, 0);
      const result = results[i] ?? null;
      const adopted = evidence[i];
      let plan: RowPlan;
      if (adopted) {
        adopt.push(adopted);
        plan = present[i] ? "adopt" : "restore";
      } else {
        const recorded = result && {
          status: result.status,
          contentSha: result.content_sha ?? null,
          imagesOnDisk: present[i] ?? false,
        };
        plan = planRow(row.contentSha, recorded, {
          hasRun: runIds[i] != null,
          wasInBatch: inBatch[i] ?? false,
        });
      }
      acc.add(plan, row.estimateMicros);
      if (plan === "changed" || plan === "retry") again.push(row.key);
      const done = result ?? adopted;
      if (plan === "restore" && done?.run_id)
        restore.push({ row: row.key, runId: done.run_id, images: done.images.length });
    });
  }

  return {
    addChunk: (rows) => (rows.length === 0 ? Promise.resolve() : planChunk(rows)),
    async finish() {
      const removed: string[] = [];
      for await (const result of o.ledger.results.scanResults(o.batchId)) {
        if (seen?.claim(result.id, 0) === null) removed.push(result.id);
      }
      return {
        plan: acc.finish(removed.length, o.evidence?.because ?? null),
        again,
        restore,
        removed,
        adopt,
      };
    },
  };
}
