/**
 * The first rows of a manifest or feed, validated (`estimate --show N`): the stream stops as
 * soon as it has them, so a sample of a 200,000-product feed costs a few products' reading.
 */
import type { ManifestSource } from "../manifest/source.js";
import { streamManifestBatches } from "../manifest/stream.js";
import type { JobRow } from "../manifest/types.js";
import { streamFeedBatches } from "./stream.js";

export async function sampleRows(source: ManifestSource, count: number): Promise<JobRow[]> {
  const rows: JobRow[] = [];
  if (count <= 0) return rows;
  const batches = source.recipe ? streamFeedBatches(source) : streamManifestBatches(source.path, source);
  for await (const items of batches) {
    for (const item of items) {
      if (!item.ok) continue;
      rows.push(item.row);
      if (rows.length >= count) return rows;
    }
  }
  return rows;
}
