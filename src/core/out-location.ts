/**
 * Where a batch's directory is: a local path, or an S3 prefix (`s3://BUCKET/PREFIX`) in object
 * storage. The one place that tells them apart and writes an S3 location in its one form, so a
 * batch's id (derived from its directory) and the `out` stored on it are the same whichever
 * machine or command names it. Pure.
 */
import path from "node:path";
import { UsageError } from "./errors.js";

export interface S3Location {
  readonly bucket: string;
  /** The key prefix without leading or trailing slashes; "" for the whole bucket. */
  readonly prefix: string;
}

/** Does this --out (or schedule `out`) name an S3 prefix? */
export function isS3Out(out: string): boolean {
  return /^s3:\/\//i.test(out.trim());
}

/** Bucket names as S3 and its compatible stores take them (3–63 characters, lower case). */
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** `s3://bucket/a/b/` → {bucket, prefix: "a/b"}; a usage error saying what is wrong otherwise. */
export function parseS3Out(out: string): S3Location {
  const text = out.trim();
  const rest = text.replace(/^s3:\/\//i, "");
  const slash = rest.indexOf("/");
  const bucket = slash < 0 ? rest : rest.slice(0, slash);
  const prefix = (slash < 0 ? "" : rest.slice(slash + 1)).replace(/\/{2,}/g, "/").replace(/^\/+|\/+$/g, "");
  if (!BUCKET.test(bucket))
    throw new UsageError(
      `--out ${text}: ${JSON.stringify(bucket)} is not a bucket name (3–63 lower-case letters, digits, ` +
        "'.' and '-'); write an S3 prefix as s3://BUCKET/PREFIX",
    );
  const parts = prefix === "" ? [] : prefix.split("/");
  if (parts.some((part) => part === "." || part === ".."))
    throw new UsageError(`--out ${text}: an S3 prefix has no '.' or '..' parts; write s3://BUCKET/PREFIX`);
  return { bucket, prefix };
}

/** The one written form of an S3 location: s3://bucket/prefix (no trailing slash). */
export function s3OutText(location: S3Location): string {
  return location.prefix === "" ? `s3://${location.bucket}` : `s3://${location.bucket}/${location.prefix}`;
}

/**
 * The batch directory as it is stored on the batch: an S3 prefix in its one form, or the path
 * resolved against `cwd`.
 */
export function resolveOut(out: string, cwd: string = process.cwd()): string {
  return isS3Out(out) ? s3OutText(parseS3Out(out)) : path.resolve(cwd, out);
}

/**
 * `out` in its one form without resolving a relative path (schedule files compare templates); an
 * S3 location that does not parse (a bucket written as a template) is left as it is.
 */
export function normalizeOut(out: string): string {
  if (!isS3Out(out)) return path.normalize(out);
  try {
    return s3OutText(parseS3Out(out));
  } catch {
    return out.trim();
  }
}
