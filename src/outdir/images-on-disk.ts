/**
 * The directory is the truth: a report lists only image files that are in it. Lines stream
 * through here in chunks; each succeeded line's images are checked on disk (a few at a time), and
 * any that are gone are left out and said in the line's error, so a person knows to run the batch
 * again (which downloads them again while Runflow still has them). What is there comes from one
 * view of the directory per report (outdir/store.ts: a stat per file on disk, one listing of
 * images/ in object storage).
 */
import pLimit from "p-limit";
import type { BatchStore, StoreView } from "./store.js";
import { asStore } from "./stores.js";

interface LineWithImages {
  readonly status: string;
  readonly images: readonly string[];
  readonly error: string | null;
}

const CHUNK = 256;

/**
 * Whether every one of these images (paths relative to the directory) is in it, as `view` (one
 * per plan) sees it; a directory given as a path is looked at directly.
 */
export async function allImagesPresent(
  where: string | StoreView,
  images: readonly string[],
): Promise<boolean> {
  const view = typeof where === "string" ? asStore(where).view() : where;
  for (const image of images) {
    if (!(await view.has(image))) return false;
  }
  return true;
}

export async function* withImagesOnDisk<T extends LineWithImages>(
  lines: AsyncIterable<T>,
  outDir: string | BatchStore | StoreView,
): AsyncGenerator<T> {
  const view = typeof outDir === "string" || "kind" in outDir ? asStore(outDir).view() : outDir;
  const checks = pLimit(64);
  const exists = (image: string) => checks(() => view.has(image));
  let chunk: T[] = [];
  async function* flush(): AsyncGenerator<T> {
    const present = await Promise.all(
      chunk.map((line) => (line.status === "succeeded" ? Promise.all(line.images.map(exists)) : null)),
    );
    for (const [i, line] of chunk.entries()) {
      const found = present[i];
      if (!found || found.every(Boolean)) {
        yield line;
        continue;
      }
      const images = line.images.filter((_, j) => found[j]);
      const missing = line.images.length - images.length;
      const note =
        `${missing} of ${line.images.length} images are missing from the directory; ` +
        "run the batch again to download them";
      yield { ...line, images, error: line.error ? `${line.error}; ${note}` : note };
    }
    chunk = [];
  }
  for await (const line of lines) {
    chunk.push(line);
    if (chunk.length >= CHUNK) yield* flush();
  }
  yield* flush();
}
