/**
 * File names for a row's images: DIR/images/<row id>.<ext>, or <row id>-1.<ext>, -2 … for
 * several. Row ids are sanitised (no separators, no "..", no control characters) and any id that
 * had to change, or that could be mistaken for another row's numbered or hashed name, gets a
 * short hash of the original id, so two rows never write the same file. Pure.
 */
import { createHash } from "node:crypto";

const UNSAFE = /[^A-Za-z0-9._-]/g;
const AMBIGUOUS_TAIL = /-(\d+|[0-9a-f]{10})$/;
const MAX_BASE = 100;

export function fileBaseFor(rowKey: string): string {
  let base = rowKey.replace(UNSAFE, "_").replace(/^[.-]+/, "_");
  const changed = base !== rowKey;
  if (base.length > MAX_BASE) base = base.slice(0, MAX_BASE);
  if (changed || base.length !== rowKey.length || AMBIGUOUS_TAIL.test(rowKey) || base === "") {
    base = `${base}-${createHash("sha256").update(rowKey).digest("hex").slice(0, 10)}`;
  }
  return base;
}

/** Names (without extension) of the `count` images of a row. */
export function imageBasesFor(rowKey: string, count: number): string[] {
  const base = fileBaseFor(rowKey);
  return count === 1 ? [base] : Array.from({ length: count }, (_, i) => `${base}-${i + 1}`);
}
