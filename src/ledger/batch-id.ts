/**
 * The default batch id: a fingerprint of the manifest's bytes and the options that change its
 * rows, so running the same command again after a crash resumes the same batch.
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { UsageError } from "../core/errors.js";
import { BATCH_ID_PATTERN } from "../queue/keys.js";

export async function manifestSha256(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

export function defaultBatchId(manifestHash: string, options: Readonly<Record<string, unknown>>): string {
  const digest = createHash("sha256").update(manifestHash).update(JSON.stringify(options)).digest("hex");
  return `b-${digest.slice(0, 12)}`;
}

export function checkBatchId(id: string): string {
  if (!BATCH_ID_PATTERN.test(id)) {
    throw new UsageError(`--batch must be 1–64 letters, digits, ".", "_" or "-" and start with a letter or digit, got ${JSON.stringify(id)}`);
  }
  return id;
}
