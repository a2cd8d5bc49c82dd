/**
 * What a Runflow callback is worth before anything trusts it (docs/runflow-api.md, "Waiting"): the
 * `Runflow-Signature` header is the lowercase hex HMAC-SHA256 of the raw body bytes, keyed by the
 * UTF-8 bytes of the whole secret string. Checked on the raw bytes with a constant-time compare,
 * never on a re-serialised body. Pure.
 */
import { createHmac, timingSafeEqual } from "node:crypto";

/** The hex signature Runflow sends for `body` under `secret`. */
export function signatureOf(secret: string, body: Buffer | string): string {
  return createHmac("sha256", Buffer.from(secret, "utf8")).update(body).digest("hex");
}

/** True when `header` is the signature of exactly these bytes under `secret`. */
export function signatureMatches(secret: string, body: Buffer, header: string | undefined): boolean {
  if (header === undefined) return false;
  const given = header.trim().toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(given)) return false;
  const expected = Buffer.from(signatureOf(secret, body), "hex");
  return timingSafeEqual(expected, Buffer.from(given, "hex"));
}

/** The run a callback is about, or null when the body is not a callback (not JSON, no run_id). */
export function callbackRunId(body: Buffer): string | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString("utf8"));
  } catch {
    return null;
  }
  if (typeof parsed !== "object" || parsed === null) return null;
  const runId = (parsed as { run_id?: unknown }).run_id;
  return typeof runId === "string" && runId !== "" && runId.length <= 200 ? runId : null;
}
