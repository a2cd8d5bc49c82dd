/** A batch to create in the ledger for tests that start below the commands. */
import type { NewBatch } from "../../src/ledger/batch-record.js";
import { BUILT_IN_PRICES } from "../../src/pricing/table.js";

export function newBatch(
  id: string,
  fields: { rows?: number; estimateMicros?: number; capMicros?: number | null; out?: string } = {},
): NewBatch {
  const rows = fields.rows ?? 1;
  const micros = fields.estimateMicros ?? 0;
  return {
    id,
    capMicros: fields.capMicros ?? null,
    submission: {
      manifest: { path: "/nowhere.csv", sha256: "0" },
      feed: { window: 1_000, retry: { attempts: 5, backoffMs: 2_000 } },
      rows,
      invalidRows: 0,
      estimate: { micros, totals: { rows, images: rows, estimated_usd: "0.000" }, by_tier: [] },
      prices: BUILT_IN_PRICES,
      out: fields.out ?? "/tmp/out",
      binding: { endpoint: "http://sim", account: "acct-test" },
    },
  };
}
