/**
 * Downloads a finished run's images into DIR/images/ under the row's safe names, a few at a
 * time per process. Each file is written atomically by the client (temp file, then rename); in
 * object storage each image is one whole object (the store's image writer: outdir/store.ts).
 */
import { mkdir } from "node:fs/promises";
import path from "node:path";
import type { LimitFunction } from "p-limit";
import type { BatchStore } from "../outdir/store.js";
import { asStore } from "../outdir/stores.js";
import type { DownloadRequest, Run, RunflowClient } from "../runflow/types.js";
import { imageBasesFor } from "../core/file-names.js";

/** Makes DIR/images and DIR/.partial once per output directory, not once per image. */
export type ImageDirs = (outDir: string) => Promise<void>;

export function createImageDirs(): ImageDirs {
  const made = new Map<string, Promise<void>>();
  return (outDir) => {
    let ready = made.get(outDir);
    if (!ready) {
      ready = Promise.all([
        mkdir(path.join(outDir, "images"), { recursive: true }),
        mkdir(path.join(outDir, ".partial"), { recursive: true }),
      ]).then(() => undefined);
      ready.catch(() => made.delete(outDir));
      made.set(outDir, ready);
    }
    return ready;
  };
}

export async function downloadOutputs(
  client: RunflowClient,
  run: Run,
  rowKey: string,
  target: string | BatchStore,
  limit: LimitFunction,
  dirs?: ImageDirs,
): Promise<string[]> {
  const store = asStore(target);
  const bases = imageBasesFor(rowKey, run.outputUrls.length);
  const writer = store.images;
  const outDir = store.location;
  // Object storage: each image is put whole under images/ (no directories, no partial files).
  // A directory: partial files stay out of images/, so a crash mid-download leaves nothing
  // half-written there.
  const where = (base: string): Pick<DownloadRequest, "destBase" | "writer" | "tempDir" | "dirsReady"> =>
    writer !== null
      ? { destBase: `images/${base}`, writer }
      : {
          destBase: path.join(outDir, "images", base),
          tempDir: path.join(outDir, ".partial"),
          dirsReady: dirs !== undefined,
        };
  if (writer === null && dirs) await dirs(outDir);
  const files = await Promise.all(
    run.outputUrls.map((url, index) =>
      limit(() => client.downloadOutput({ runId: run.id, index, url, ...where(bases[index] as string) })),
    ),
  );
  return writer !== null
    ? files.map((file) => file.path)
    : files.map((file) => path.relative(outDir, file.path).split(path.sep).join("/"));
}
