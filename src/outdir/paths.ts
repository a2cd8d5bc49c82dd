/**
 * Where a batch's directory is when the command names none: out/<batch id>, under the current
 * directory. The one place that says so.
 */
import path from "node:path";

const DEFAULT_OUT_ROOT = "out";

export function defaultOutDir(batchId: string): string {
  return path.resolve(DEFAULT_OUT_ROOT, batchId);
}
