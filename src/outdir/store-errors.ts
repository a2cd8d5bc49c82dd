/**
 * What object storage said when a request failed, as one error: the bucket, the key, what was
 * being done, the store's own error code (NoSuchBucket, AccessDenied, SignatureDoesNotMatch,
 * SlowDown, ECONNREFUSED …) and how to fix it. Never a credential: the SDK's messages carry none,
 * and the request itself is not kept. Exit 2 when it reaches the command line: the batch's
 * directory cannot be used, like a local directory that cannot be written.
 */
import { BatchError } from "../core/errors.js";
import { EXIT } from "../core/exit-codes.js";

export type StoreOp = "write" | "read" | "list" | "remove";

interface StoreFailure {
  readonly bucket: string;
  readonly key: string;
  readonly op: StoreOp;
}

export class StoreError extends BatchError {
  /** The store's error code, or the connection's (ECONNREFUSED …). */
  readonly code: string;
  /** The HTTP status, when the store answered. */
  readonly status: number | null;
  readonly bucket: string;
  readonly key: string;
  readonly op: StoreOp;
  /** s3://bucket/key: what could not be read or written. */
  readonly path: string;
  /** A passing fault (5xx, SlowDown, no answer): the same request may succeed later. */
  readonly transient: boolean;
  /** The store's own sentence, without our hint. */
  readonly detail: string;
  /** How to fix it, as a sentence. */
  readonly hint: string;
  constructor(failure: StoreFailure, fields: { code: string; status: number | null; detail: string }) {
    const path = `s3://${failure.bucket}/${failure.key}`;
    const status = fields.status === null ? "" : ` (${fields.status})`;
    super(
      `could not ${failure.op} ${path}: ${fields.code}${status}: ${fields.detail}. ${hintFor(fields.code)}`,
      EXIT.usage,
    );
    this.code = fields.code;
    this.status = fields.status;
    this.bucket = failure.bucket;
    this.key = failure.key;
    this.op = failure.op;
    this.path = path;
    this.detail = fields.detail;
    this.hint = hintFor(fields.code);
    this.transient =
      TRANSIENT_CODES.has(fields.code) ||
      (fields.status !== null && fields.status >= 500) ||
      isNetwork(fields);
  }
}

const TRANSIENT_CODES: ReadonlySet<string> = new Set([
  "SlowDown",
  "ServiceUnavailable",
  "InternalError",
  "RequestTimeout",
  "TimeoutError",
  "Throttling",
  "ThrottlingException",
]);

const isNetwork = (fields: { code: string }) => /^(E[A-Z]+|UND_ERR_\w+)$/.test(fields.code);

function hintFor(code: string): string {
  if (code === "NoSuchBucket")
    return "Create the bucket, or check its name and the endpoint (AWS_ENDPOINT_URL, --s3-endpoint).";
  if (code === "AccessDenied" || code === "AllAccessDisabled" || code === "Forbidden")
    return "Give these credentials s3:PutObject, s3:GetObject, s3:DeleteObject and s3:ListBucket on the prefix.";
  if (code === "SignatureDoesNotMatch" || code === "InvalidAccessKeyId")
    return "Check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_PROFILE) are this store's.";
  if (code === "NoCredentials")
    return "Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE, or run where a role provides them.";
  if (code === "NoRegion") return "Set AWS_REGION (e.g. eu-west-1; any value for an S3-compatible store).";
  if (code === "XAmzContentSHA256Mismatch" || code === "NotImplemented" || code === "InvalidRequest")
    return (
      "If this store rejects the SDK's checksums (Cloudflare R2 and some others do), set " +
      "AWS_REQUEST_CHECKSUM_CALCULATION=WHEN_REQUIRED."
    );
  if (isNetwork({ code }) || code === "TimeoutError")
    return "Check the store answers at its endpoint (AWS_ENDPOINT_URL, --s3-endpoint) from this machine.";
  return "The store may be busy or failing for a while; the same command again resumes.";
}

/** The SDK's (or the connection's) error as a StoreError. */
export function storeErrorFrom(error: unknown, failure: StoreFailure): StoreError {
  if (error instanceof StoreError) return error;
  return new StoreError(failure, describe(error));
}

function describe(error: unknown): { code: string; status: number | null; detail: string } {
  const e = (error ?? {}) as {
    name?: unknown;
    code?: unknown;
    message?: unknown;
    $metadata?: { httpStatusCode?: unknown };
    cause?: unknown;
  };
  const message = typeof e.message === "string" && e.message !== "" ? e.message : String(error);
  const status = typeof e.$metadata?.httpStatusCode === "number" ? e.$metadata.httpStatusCode : null;
  const name = typeof e.name === "string" ? e.name : "";
  if (name === "CredentialsProviderError") return { code: "NoCredentials", status: null, detail: message };
  if (/Region is missing/i.test(message)) return { code: "NoRegion", status: null, detail: message };
  const network = networkCode(error);
  if (network !== null && status === null) return { code: network, status: null, detail: message };
  if (name !== "" && !/^(Error|Unknown|UnknownError|\d{3})$/.test(name) && status !== null)
    return { code: name, status, detail: message.replace(/^UnknownError$/, "no error body") };
  if (status !== null) return { code: `HTTP${status}`, status, detail: `the store answered ${status}` };
  if (name === "TimeoutError" || name === "AbortError")
    return { code: "TimeoutError", status: null, detail: message };
  return { code: name || "Error", status: null, detail: message };
}

/** ECONNREFUSED and friends, from the error or its causes. */
function networkCode(error: unknown): string | null {
  for (let e = error, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth += 1) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && /^(E[A-Z]+|UND_ERR_\w+)$/.test(code)) return code;
  }
  return null;
}
