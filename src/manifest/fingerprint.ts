/**
 * A manifest's fingerprint: the SHA-256 of its bytes. A batch stores it when submitted; the
 * default batch id is derived from it, and reports check the manifest is unchanged with it.
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";

export async function manifestSha256(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}
