/**
 * Batch ids given with --batch: usable in Redis keys, queue and job ids, and file names. The
 * default id comes from the output directory and the binding (binding.ts). Pure.
 */
import { UsageError } from "../core/errors.js";
import { BATCH_ID_PATTERN } from "./keys.js";

export function checkBatchId(id: string): string {
  if (!BATCH_ID_PATTERN.test(id)) {
    throw new UsageError(
      `--batch must be 1–64 letters, digits, ".", "_" or "-" and start with a letter or digit, ` +
        `got ${JSON.stringify(id)}`,
    );
  }
  return id;
}
