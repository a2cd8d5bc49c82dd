/**
 * A batch's images and thumbnails, served from its output directory: only files under images/
 * and thumbs/, never a path that leaves the directory. A directory that is an S3 prefix is read
 * through its store (one GET per file asked for).
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import type { BatchStore } from "../outdir/store.js";

const TYPES: Record<string, string> = {
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".webp": "image/webp",
};

export async function batchFile(outDir: string | BatchStore, relative: string): Promise<Response> {
  const parts = relative.split("/").map((p) => decodeURIComponent(p));
  const [top] = parts;
  const type = TYPES[path.extname(relative).toLowerCase()];
  if (
    (top !== "images" && top !== "thumbs") ||
    parts.some((p) => p === ".." || p === "" || p.includes("\0")) ||
    !type
  ) {
    return new Response("not a file of this batch\n", { status: 404 });
  }
  if (typeof outDir !== "string" && outDir.localPath("") === null) {
    const bytes = await outDir.readBytes(parts.join("/")).catch(() => null);
    if (bytes === null) return new Response("no such file\n", { status: 404 });
    return new Response(bytes, { headers: { "content-type": type, "cache-control": "private, max-age=60" } });
  }
  const root = path.resolve(typeof outDir === "string" ? outDir : outDir.location);
  const file = path.resolve(root, ...parts);
  if (!file.startsWith(root + path.sep)) return new Response("not a file of this batch\n", { status: 404 });
  try {
    const bytes = await readFile(file);
    return new Response(bytes, { headers: { "content-type": type, "cache-control": "private, max-age=60" } });
  } catch {
    return new Response("no such file\n", { status: 404 });
  }
}
