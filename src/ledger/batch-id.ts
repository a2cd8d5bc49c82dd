/**
 * Batch ids: the default one is a fingerprint of the manifest's bytes (manifest/fingerprint.ts)
 * and the options that change its rows, so running the same command again after a crash resumes
 * the same batch. Pure.
 */
import { createHash } from "node:crypto";
import { UsageError } from "../core/errors.js";
import { BATCH_ID_PATTERN } from "../queue/keys.js";

export function defaultBatchId(manifestSha256: string, options: Readonly<Record<string, unknown>>): string {
  const digest = createHash("sha256").update(manifestSha256).update(JSON.stringify(options)).digest("hex");
  return `b-${digest.slice(0, 12)}`;
}

export function checkBatchId(id: string): string {
  if (!BATCH_ID_PATTERN.test(id)) {
    throw new UsageError(
      `--batch must be 1–64 letters, digits, ".", "_" or "-" and start with a letter or digit, ` +
        `got ${JSON.stringify(id)}`,
    );
  }
  return id;
}
