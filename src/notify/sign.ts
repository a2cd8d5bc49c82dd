/**
 * Signing a notification, so a receiver can tell it came from this tool and was not replayed:
 * header `Runflow-Batch-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">` with
 * RUNFLOW_BATCH_NOTIFY_SECRET as the key. To verify: recompute the HMAC over the timestamp, a dot
 * and the raw body, compare in constant time, and refuse a timestamp too far from now.
 */
import { createHmac, timingSafeEqual } from "node:crypto";

export const SIGNATURE_HEADER = "Runflow-Batch-Signature";

export function signNotification(secret: string, body: string, unixSeconds: number): string {
  const mac = createHmac("sha256", secret).update(`${unixSeconds}.${body}`).digest("hex");
  return `t=${unixSeconds},v1=${mac}`;
}

/**
 * True when `header` signs `body` with `secret` and its timestamp is within `toleranceSeconds` of
 * `nowSeconds`. What a receiver runs; the tests use it too.
 */
export function verifyNotification(
  secret: string,
  body: string,
  header: string,
  nowSeconds: number,
  toleranceSeconds = 300,
): boolean {
  const fields = new Map(header.split(",").map((part) => part.trim().split("=", 2) as [string, string]));
  const t = Number(fields.get("t"));
  const given = fields.get("v1") ?? "";
  if (!Number.isInteger(t) || Math.abs(nowSeconds - t) > toleranceSeconds || !/^[0-9a-f]{64}$/.test(given))
    return false;
  const expected = createHmac("sha256", secret).update(`${t}.${body}`).digest("hex");
  return timingSafeEqual(Buffer.from(expected, "hex"), Buffer.from(given, "hex"));
}
