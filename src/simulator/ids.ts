/** Run ids (UUIDv7) and the timestamp spelling Runflow uses (`+00:00`, not `Z`). */
import { randomUUID } from "node:crypto";

/** UUIDv7: 48-bit Unix milliseconds, version 7, RFC 4122 variant, random rest. */
export function uuidv7(nowMs: number): string {
  const random = randomUUID(); // xxxxxxxx-xxxx-4xxx-Vxxx-xxxxxxxxxxxx, variant bits already 10xx
  const time = Math.max(0, Math.floor(nowMs)).toString(16).padStart(12, "0").slice(-12);
  return `${time.slice(0, 8)}-${time.slice(8, 12)}-7${random.slice(15)}`;
}

/** 2026-05-06T10:00:00.000+00:00 */
export function isoOffset(ms: number): string {
  return new Date(ms).toISOString().replace("Z", "+00:00");
}
