/**
 * Thumbnails for report.html (an I/O edge): small WebP files under DIR/thumbs/, made with sharp
 * when it is installed (an optional dependency, imported only here and only when needed). A
 * thumbnail newer than its image is reused. Making them has a time budget per report (default
 * 5 s): past it, cards show the full images and the next report goes on where this one stopped,
 * so a 50,000-image batch's report is not held up for minutes. Without sharp, or when one image
 * cannot be read, the card shows the full image: a thumbnail never fails a report, let alone a batch.
 */
import { mkdir, readdir, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import pLimit from "p-limit";

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
  readonly onError?: (image: string, error: unknown) => void;
}

type Sharp = (input: string) => {
  resize(
    w: number,
    h: number,
    o: { fit: "inside"; withoutEnlargement: boolean },
  ): { webp(o: { quality: number }): { toFile(p: string): Promise<unknown> } };
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

export function thumbPathFor(image: string): string {
  const base = path.posix.basename(image).replace(/\.[^.]+$/, "");
  return `thumbs/${base}.webp`;
}

async function mtime(file: string): Promise<number | null> {
  try {
    return (await stat(file)).mtimeMs;
  } catch {
    return null;
  }
}

export function createThumbnailer(outDir: string, options: ThumbnailOptions): Thumbnailer {
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
    const [imageTime, thumbTime] = await Promise.all([
      mtime(path.join(outDir, image)),
      mtime(path.join(outDir, thumb)),
    ]);
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
    const target = path.join(outDir, thumbPathFor(image));
    if (!dirMade) {
      await mkdir(path.join(outDir, "thumbs"), { recursive: true });
      dirMade = true;
    }
    const temp = `${target}.${process.pid}.tmp`;
    try {
      await convert(path.join(outDir, image))
        .resize(size, size, { fit: "inside", withoutEnlargement: true })
        .webp({ quality: 72 })
        .toFile(temp);
      await rename(temp, target);
      counts.made += 1;
      ready.add(image);
    } catch (error) {
      counts.failed += 1;
      await rm(temp, { force: true }).catch(() => undefined);
      options.onError?.(image, error);
    }
  }

  return {
    async prepare(images) {
      sharp ??= loadSharp();
      const convert = await sharp;
      if (!convert) return;
      existing ??= readdir(path.join(outDir, "thumbs")).then(
        (names) => new Set(names),
        () => new Set<string>(),
      );
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
