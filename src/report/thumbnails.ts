/**
 * Thumbnails for report.html (an I/O edge): small WebP files under DIR/thumbs/, made with sharp
 * when it is installed (an optional dependency, imported only here and only when needed). A
 * thumbnail newer than its image is reused. Making them has a time budget per report (default
 * 5 s): past it, cards show the full images and the next report goes on where this one stopped,
 * so a 50,000-image batch's report is not held up for minutes. Without sharp, or when one image
 * cannot be read, the card shows the full image: a thumbnail never fails a report, let alone a batch.
 * In object storage the image is read, converted in memory and put as one object; which
 * thumbnails exist and how old they are comes from the report's one view of the directory.
 */
import { rename, rm } from "node:fs/promises";
import path from "node:path";
import pLimit from "p-limit";
import type { BatchStore, StoreView } from "../outdir/store.js";
import { asStore } from "../outdir/stores.js";

export interface Thumbnailer {
  /** Makes (or finds) the thumbnails of these images (paths relative to DIR). */
  prepare(images: readonly string[]): Promise<void>;
  /** The thumbnail of an image, relative to DIR, if there is one. */
  thumbFor(image: string): string | null;
  stats(): { made: number; reused: number; failed: number; skipped: number; available: boolean };
}

export interface ThumbnailOptions {
  /** false: no thumbnails (cards show the full images). */
  readonly enabled: boolean;
  /** Longest side in pixels (default 320). */
  readonly size?: number;
  /** Images converted at once (default 2). */
  readonly concurrency?: number;
  /** Time spent making thumbnails per report, from the first one (default 5,000 ms). */
  readonly budgetMs?: number;
  readonly now?: () => number;
  readonly onError?: ((image: string, error: unknown) => void) | undefined;
  /** The report's view of the directory (default: a view of its own). */
  readonly view?: StoreView;
}

type Sharp = (input: string | Buffer) => {
  resize(
    w: number,
    h: number,
    o: { fit: "inside"; withoutEnlargement: boolean },
  ): { webp(o: { quality: number }): { toFile(p: string): Promise<unknown>; toBuffer(): Promise<Buffer> } };
};

async function loadSharp(): Promise<Sharp | null> {
  try {
    const name = "sharp"; // a variable: the type checker and bundlers do not require it to exist
    const mod = (await import(name)) as { default: Sharp };
    return mod.default;
  } catch {
    return null;
  }
}

function thumbPathFor(image: string): string {
  const base = path.posix.basename(image).replace(/\.[^.]+$/, "");
  return `thumbs/${base}.webp`;
}

/** When the file was last changed, or null when it is not there (or cannot be looked at). */
function modifiedMs(view: StoreView, name: string): Promise<number | null> {
  return view.info(name).then(
    (info) => info?.modifiedMs ?? null,
    () => null,
  );
}

/** Converts one image into its thumbnail: on disk through a temp file renamed, or in memory for object storage. */
async function convertOne(
  store: BatchStore,
  convert: Sharp,
  size: number,
  at: { image: string; thumb: string; source: string | null; target: string | null; temp: string | null },
): Promise<void> {
  const { image, thumb, source, target, temp } = at;
  const resized = (input: string | Buffer) =>
    convert(input).resize(size, size, { fit: "inside", withoutEnlargement: true }).webp({ quality: 72 });
  if (source === null || target === null || temp === null) {
    // Object storage: read the image, convert in memory, put the thumbnail as one object.
    const bytes = await store.readBytes(image);
    if (bytes === null) throw new Error(`${store.where(image)} is gone`);
    await store.writeBytes(thumb, await resized(bytes).toBuffer(), "image/webp");
  } else {
    await resized(source).toFile(temp);
    await rename(temp, target);
  }
}

export function createThumbnailer(outDir: string | BatchStore, options: ThumbnailOptions): Thumbnailer {
  const store = asStore(outDir);
  const view = options.view ?? store.view();
  const mtime = (name: string) => modifiedMs(view, name);
  const size = options.size ?? 320;
  const limit = pLimit(options.concurrency ?? 2);
  const ready = new Set<string>();
  const counts = { made: 0, reused: 0, failed: 0, skipped: 0 };
  const now = options.now ?? Date.now;
  const budgetMs = options.budgetMs ?? 5_000;
  let deadline: number | null = null;
  let sharp: Promise<Sharp | null> | null = options.enabled ? null : Promise.resolve(null);
  // The thumbnails there already, listed once: only those are compared with their image.
  let existing: Promise<Set<string>> | null = null;
  let dirMade = false;

  const pastBudget = () => {
    deadline ??= now() + budgetMs;
    return now() > deadline;
  };

  /** Reuses an up-to-date thumbnail; says whether one must be made. Not limited: stats only. */
  async function reuse(image: string, listed: Set<string>): Promise<boolean> {
    const thumb = thumbPathFor(image);
    if (!listed.has(path.posix.basename(thumb))) return true;
    const [imageTime, thumbTime] = await Promise.all([mtime(image), mtime(thumb)]);
    if (imageTime === null) return false;
    if (thumbTime !== null && thumbTime >= imageTime) {
      counts.reused += 1;
      ready.add(image);
      return false;
    }
    return true;
  }

  async function make(image: string, convert: Sharp): Promise<void> {
    if (pastBudget()) {
      counts.skipped += 1;
      return;
    }
    const thumb = thumbPathFor(image);
    const source = store.localPath(image);
    const target = store.localPath(thumb);
    if (!dirMade) {
      await store.makeDir("thumbs");
      dirMade = true;
    }
    const temp = target === null ? null : `${target}.${process.pid}.tmp`;
    try {
      await convertOne(store, convert, size, { image, thumb, source, target, temp });
      counts.made += 1;
      ready.add(image);
    } catch (error) {
      counts.failed += 1;
      if (temp !== null) await rm(temp, { force: true }).catch(() => undefined);
      options.onError?.(image, error);
    }
  }

  return {
    async prepare(images) {
      sharp ??= loadSharp();
      const convert = await sharp;
      if (!convert) return;
      existing ??= view.names("thumbs").catch(() => new Set<string>());
      const listed = await existing;
      const needed = await Promise.all(images.map((image) => reuse(image, listed).catch(() => false)));
      const todo = images.filter((_, i) => needed[i]);
      await Promise.all(
        todo.map((image) =>
          limit(() => make(image, convert).catch((error) => options.onError?.(image, error))),
        ),
      );
    },
    thumbFor: (image) => (ready.has(image) ? thumbPathFor(image) : null),
    stats: () => ({ ...counts, available: ready.size > 0 }),
  };
}
