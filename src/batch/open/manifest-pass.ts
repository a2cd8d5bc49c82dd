/**
 * Opening a batch reads its manifest once (pricing/scan.ts: one open of the file): validation,
 * prices, totals, metadata keys, the CSV separator and the file's fingerprint, and — as each chunk
 * of valid rows streams by — the plan of
 * bringing the directory up to date (plan-batch.ts), the rows' place under the cap (preflight.ts)
 * and the rows themselves, staged in the ledger's row store for the feeder, the workers and the
 * reports. After this pass nothing reads the manifest again.
 */
import { manifestSha256 } from "../../manifest/fingerprint.js";
import type { ManifestSource } from "../../manifest/source.js";
import { rowContentSha } from "../../ledger/plan.js";
import type { KeyedRow, RowStaging } from "../../ledger/row-store.js";
import type { PricedItem } from "../../pricing/priced-rows.js";
import { scanManifest, type ManifestScan } from "../../pricing/scan.js";
import type { PriceTable } from "../../pricing/table.js";
import type { PlannedRow } from "./plan-batch.js";

/** A valid row of the pass: as stored, and as the plan sees it. */
type PassRow = KeyedRow & { readonly planned: PlannedRow };

/** What a command does with the valid rows of each chunk, besides counting and pricing them. */
export type RowConsumer = (rows: readonly PassRow[]) => Promise<void> | void;

export interface ManifestPass {
  readonly scan: ManifestScan;
  /** SHA-256 of the manifest's bytes. */
  readonly sha256: string;
}

function passRows(items: readonly PricedItem[]): PassRow[] {
  const rows: PassRow[] = [];
  for (const item of items) {
    if (!item.ok) continue;
    const { row, seq, estimateMicros } = item;
    const contentSha = rowContentSha(row);
    rows.push({
      key: row.key,
      row: {
        seq,
        model: row.model,
        quality: row.quality,
        images: row.images,
        input: row.input,
        metadata: row.metadata,
        estimate_micros: estimateMicros,
        content_sha: contentSha,
        ...(row.draft ? { draft: row.draft } : {}),
      },
      planned: { key: row.key, seq, contentSha, estimateMicros },
    });
  }
  return rows;
}

/**
 * Rows from elsewhere than a manifest file (promote: a draft batch's picks), read by the same pass:
 * `source` is what the batch records as its manifest (its label names it in messages), `sha256`
 * stands for a file's fingerprint, and `items` yields the rows validated and priced.
 */
export interface RowSource {
  readonly source: ManifestSource;
  readonly sha256: string;
  items(prices: PriceTable): AsyncIterable<PricedItem[]>;
}

/** Reads the manifest (or a row source) once, handing each chunk's valid rows to every consumer. */
export async function readManifest(
  given: ManifestSource | RowSource,
  prices: PriceTable,
  consumers: readonly RowConsumer[] = [],
): Promise<ManifestPass> {
  const rows = "items" in given ? given : null;
  const source = "items" in given ? given.source : given;
  const onChunk =
    consumers.length === 0
      ? undefined
      : async (items: readonly PricedItem[]) => {
          const rows = passRows(items);
          if (rows.length > 0) await Promise.all(consumers.map((consume) => consume(rows)));
        };
  const scan = await scanManifest(source, { prices, onChunk, items: rows?.items(prices) });
  if (rows) return { scan, sha256: rows.sha256 };
  // The readers fingerprint the bytes as they read them; only a pass that read on after a
  // malformed CSV record, or a feed, has its file read once more for it.
  const sha256 = scan.reading.sha256 ?? (await manifestSha256(source.path));
  return { scan, sha256 };
}

/** A consumer that stages the rows in the ledger. */
export const stageRows =
  (staging: RowStaging): RowConsumer =>
  (rows) =>
    staging.add(rows);
