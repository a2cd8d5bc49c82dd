/**
 * Presigned output URLs: `/outputs/{run id}/{index}.{ext}?expires=<unix seconds>&sig=<hex>`,
 * sig = HMAC-SHA256(instance key, path + "\n" + expires), first 32 hex digits. A URL is valid
 * until `expires` (at least urlTtlSeconds after signing; expiry is rounded up to the next whole
 * second). Expired → 403 URL_EXPIRED, bad or missing signature → 403 SIGNATURE_INVALID (403,
 * as S3 answers an expired presigned URL); a fresh GET of the run gives fresh URLs.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

export interface UrlSigner {
  /** Path plus query string, valid for `ttlSeconds` from `now`. */
  sign(path: string, now: number, ttlSeconds: number): string;
  verify(path: string, query: URLSearchParams, now: number): "ok" | "expired" | "invalid";
}

/** `key` defaults to 32 random bytes: each simulator instance signs with its own key. */
export function createUrlSigner(key: Buffer = randomBytes(32)): UrlSigner {
  const sig = (path: string, expires: number) =>
    createHmac("sha256", key).update(`${path}\n${expires}`).digest("hex").slice(0, 32);
  return {
    sign(path, now, ttlSeconds) {
      const expires = Math.ceil((now + ttlSeconds * 1000) / 1000);
      return `${path}?expires=${expires}&sig=${sig(path, expires)}`;
    },
    verify(path, query, now) {
      const expiresText = query.get("expires") ?? "";
      const given = query.get("sig") ?? "";
      if (!/^\d{1,12}$/.test(expiresText) || !/^[0-9a-f]{32}$/.test(given)) return "invalid";
      const expires = Number(expiresText);
      const expected = Buffer.from(sig(path, expires), "latin1");
      if (!timingSafeEqual(expected, Buffer.from(given, "latin1"))) return "invalid";
      return now < expires * 1000 ? "ok" : "expired";
    },
  };
}
