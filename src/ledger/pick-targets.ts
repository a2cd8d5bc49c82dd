/**
 * Which images of a batch can be picked: the images its succeeded rows record, by number
 * (core/file-names.ts imageNumberOf). Picks naming anything else are refused with one problem
 * each, before anything is stored. Reads only.
 */
import { imageNumberOf } from "../core/file-names.js";
import type { ImageRef } from "./picks.js";
import type { ResultReader } from "./result-reader.js";

const CHUNK = 500;

/** The problems of these picks against the batch's results ([] when every image exists). */
export async function pickProblems(
  results: Pick<ResultReader, "results">,
  batchId: string,
  picks: readonly ImageRef[],
): Promise<string[]> {
  const ids = [...new Set(picks.map((p) => p.id))];
  const numbers = new Map<string, Set<number> | string>();
  for (let i = 0; i < ids.length; i += CHUNK) {
    const chunk = ids.slice(i, i + CHUNK);
    const found = await results.results(batchId, chunk);
    chunk.forEach((id, j) => {
      const result = found[j];
      if (!result) numbers.set(id, `batch ${batchId} has no finished row "${id}"`);
      else if (result.images.length === 0)
        numbers.set(id, `row "${id}" of batch ${batchId} has no images (${result.status})`);
      else numbers.set(id, new Set(result.images.map((file) => imageNumberOf(id, file) ?? 0)));
    });
  }
  const problems: string[] = [];
  for (const pick of picks) {
    const known = numbers.get(pick.id);
    if (typeof known === "string") problems.push(known);
    else if (known && !known.has(pick.image)) {
      const has = [...known].sort((a, b) => a - b).join(", ");
      problems.push(
        `row "${pick.id}" of batch ${batchId} has image${known.size === 1 ? "" : "s"} ${has}, not ${pick.image}`,
      );
    }
  }
  return [...new Set(problems)];
}
