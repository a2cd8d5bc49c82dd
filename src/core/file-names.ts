/**
 * File names for a row's images, as documented: DIR/images/<id>.<ext> for one image, and
 * <id>-1.<ext>, <id>-2.<ext> … for several. Ids are sanitised for file systems (no separators, no
 * "..", no control or shell-unfriendly characters, no leading dot or dash); nothing else changes,
 * so catalogue ids such as SKU-00001 keep their names. Two rows that would write the same file are
 * refused when the manifest is validated (manifest/file-claims.ts), so no hash is ever needed. Pure.
 */

const UNSAFE = /[^A-Za-z0-9._-]/g;
const SAFE = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/;

export function fileBaseFor(rowKey: string): string {
  if (SAFE.test(rowKey) && !rowKey.includes("..")) return rowKey;
  const base = rowKey.replace(UNSAFE, "_").replaceAll("..", "__").replace(/^[.-]/, "_");
  return base === "" ? "_" : base;
}

/** Names (without extension) of the `count` images of a row. */
export function imageBasesFor(rowKey: string, count: number): string[] {
  const base = fileBaseFor(rowKey);
  return count === 1 ? [base] : Array.from({ length: count }, (_, i) => `${base}-${i + 1}`);
}

/** The extension an output format is most likely saved with (the download's content type decides). */
export function likelyExtension(outputFormat: unknown): string {
  if (outputFormat === "jpeg" || outputFormat === "jpg") return "jpg";
  if (outputFormat === "webp") return "webp";
  return "png";
}

/**
 * Which of its row's images a file is (1-based), from its name: `<id>.<ext>` is image 1,
 * `<id>-<n>.<ext>` image n (imageBasesFor's inverse); null for a file that is not the row's.
 */
export function imageNumberOf(rowKey: string, file: string): number | null {
  const name = file.slice(file.lastIndexOf("/") + 1);
  const dot = name.lastIndexOf(".");
  const stem = dot > 0 ? name.slice(0, dot) : name;
  const base = fileBaseFor(rowKey);
  if (stem === base) return 1;
  if (!stem.startsWith(`${base}-`)) return null;
  const n = stem.slice(base.length + 1);
  return /^[1-9]\d{0,3}$/.test(n) ? Number(n) : null;
}
