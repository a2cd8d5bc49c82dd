/**
 * Runflow client errors: small classes carrying what a caller (and classifyError) needs:
 * HTTP status, Runflow `code`, the `errors[]` detail, Retry-After and `cause`. Messages name
 * the request (method and path, never the key or a presigned query string) and say how to fix it.
 * Every class extends BatchError so one escaping to the CLI maps to an exit code: 1 for a
 * request Runflow refused for good (400/404/409/422, downloads), 4 otherwise (unreachable,
 * misconfigured, out of credit, rate limited).
 */
import { BatchError, type ExitCode } from "../core/errors.js";
import type { ErrorDecision } from "./types.js";

export interface RequestRef {
  readonly method: string;
  /** Path only, e.g. "/v1/runs/123"; downloads use origin + path without the query string. */
  readonly path: string;
}

interface RunflowErrorFields {
  readonly status?: number | null;
  readonly code?: string | null;
  readonly retryAfterMs?: number | null;
  readonly cause?: unknown;
}

export abstract class RunflowError extends BatchError {
  readonly method: string;
  readonly path: string;
  readonly status: number | null;
  /** Runflow's error `code` (e.g. "RATE_LIMITED"), or a network error code (e.g. "ECONNRESET"). */
  readonly code: string | null;
  readonly retryAfterMs: number | null;
  constructor(message: string, request: RequestRef, fields: RunflowErrorFields, exitCode: ExitCode) {
    super(message, exitCode, fields.cause === undefined ? undefined : { cause: fields.cause });
    this.method = request.method;
    this.path = request.path;
    this.status = fields.status ?? null;
    this.code = fields.code ?? null;
    this.retryAfterMs = fields.retryAfterMs ?? null;
  }
}

const PERMANENT_STATUSES: ReadonlySet<number> = new Set([400, 404, 409, 410, 422]);

/** Runflow answered with an HTTP error (the flat `{code, message, errors}` envelope). */
export class RunflowApiError extends RunflowError {
  /** Runflow's own `message`, when it sent one. */
  readonly serverMessage: string | null;
  /** The `errors[]` detail, one "field: problem" line each (e.g. "input.quality: must be one of …"). */
  readonly errors: readonly string[];
  constructor(
    request: RequestRef,
    fields: { status: number; code: string | null; serverMessage: string | null; errors: readonly string[]; retryAfterMs: number | null },
  ) {
    super(apiErrorMessage(request, fields), request, fields, PERMANENT_STATUSES.has(fields.status) ? 1 : 4);
    this.serverMessage = fields.serverMessage;
    this.errors = fields.errors;
  }
}

/** No usable HTTP answer: connection refused or reset, DNS failure, timeout. */
export class RunflowNetworkError extends RunflowError {
  readonly timedOut: boolean;
  constructor(request: RequestRef, fields: { code: string | null; timedOut: boolean; detail: string; hint?: string; cause?: unknown }) {
    const what = fields.timedOut ? `timed out (${fields.detail})` : `failed: ${fields.detail}`;
    const hint = fields.hint ?? "Check that Runflow is reachable at RUNFLOW_BASE_URL; the request can be retried.";
    super(
      `${request.method} ${request.path} ${what}. ${hint}`,
      request,
      fields,
      4,
    );
    this.timedOut = fields.timedOut;
  }
}

/** Runflow answered 2xx but the body is not what the API page describes (not JSON, no run id). */
export class RunflowResponseError extends RunflowError {
  constructor(request: RequestRef, fields: { status: number; detail: string; cause?: unknown }) {
    super(
      `${request.method} ${request.path} returned ${fields.status} with an unreadable body: ${fields.detail}. Check RUNFLOW_BASE_URL points at the Runflow API.`,
      request,
      fields,
      4,
    );
  }
}

export type DownloadFailure =
  | "http" // the output URL answered with an unexpected status
  | "expired" // 403/404/410 even after re-reading the run for a fresh URL
  | "no-url" // the re-read run has no output at that index
  | "content-type" // not image/png, image/jpeg or image/webp
  | "too-large" // over maxDownloadBytes
  | "truncated" // fewer bytes than content-length, or the connection dropped mid-body
  | "network"
  | "filesystem"; // could not create the directory or write/rename the file

export class DownloadError extends RunflowError {
  readonly failure: DownloadFailure;
  readonly runId: string;
  readonly index: number;
  constructor(
    message: string,
    request: RequestRef,
    fields: { failure: DownloadFailure; runId: string; index: number; status?: number | null; code?: string | null; cause?: unknown },
  ) {
    super(`download of output ${fields.index} of run ${fields.runId} (${request.method} ${request.path}): ${message}`, request, fields, fields.failure === "filesystem" ? 4 : 1);
    this.failure = fields.failure;
    this.runId = fields.runId;
    this.index = fields.index;
  }
}

/** How to fix it, per status: the sentence that ends an API error message. */
/** 402, or either spelling of Runflow's out-of-credit code. */
function isOutOfCredit(status: number, code: string | null): boolean {
  return status === 402 || code === "INSUFFICIENT_CREDIT" || code === "INSUFFICIENT_CREDITS";
}

export function hintFor(status: number, code: string | null, path: string): string {
  if (status === 401) return "Check RUNFLOW_API_KEY: the key is missing, mistyped or revoked.";
  if (isOutOfCredit(status, code)) {
    return "Add credit to the Runflow account (or lower --max-cost), then resume the batch.";
  }
  if (status === 403) return "The API key may not do this: check RUNFLOW_API_KEY and the organisation it belongs to.";
  if (status === 404) {
    return path.startsWith("/v1/runs/")
      ? "The run id is unknown to this account: check RUNFLOW_BASE_URL and that the key belongs to the organisation that created it."
      : "Check the model name (e.g. openai/gpt-image-2) and RUNFLOW_BASE_URL.";
  }
  if (status === 409) return "The Idempotency-Key was already used with a different body: the row changed since it was first submitted; submit it under a new batch id.";
  if (status === 422) return "Fix the row's input and submit it again.";
  if (status === 400) return "Runflow could not read the request; this is probably a bug in runflow-batch, please report it.";
  if (status === 429) return "Runflow is rate limiting: lower --concurrency; the request is retried after a pause.";
  if (status >= 500) return "Runflow or the model provider failed; the request can be retried.";
  return "Unexpected answer from Runflow.";
}

function apiErrorMessage(
  request: RequestRef,
  fields: { status: number; code: string | null; serverMessage: string | null; errors: readonly string[] },
): string {
  const label = fields.code === null ? `${fields.status}` : `${fields.status} ${fields.code}`;
  const said = fields.serverMessage === null ? "" : `: ${fields.serverMessage}`;
  // The detail lines the server's message does not already spell out.
  const extra = fields.errors.filter((line) => fields.serverMessage === null || !fields.serverMessage.includes(line));
  const detail = extra.length === 0 ? "" : ` (${extra.join("; ")})`;
  const sentence = `${request.method} ${request.path} → ${label}${said}${detail}`.replace(/[.\s]+$/, "");
  return `${sentence}. ${hintFor(fields.status, fields.code, request.path)}`;
}

/** Error codes of Node and undici that mean "no usable answer": retried like a 5xx. */
const NETWORK_CODES: ReadonlySet<string> = new Set([
  "ECONNRESET", "ECONNREFUSED", "ECONNABORTED", "EPIPE", "ETIMEDOUT", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH",
  "UND_ERR_SOCKET", "UND_ERR_CONNECT_TIMEOUT", "UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT", "UND_ERR_CLOSED",
]);

/**
 * Retry, back off, pause, stop or fail the row? Pure; the worker maps the answer to BullMQ.
 * Errors this module did not make (a TypeError, a bug) are `permanent`: retrying a bug repeats
 * it and burns attempts, and failing the row with the message makes it visible in the report.
 * The one exception is a bare Node/undici network error (code ECONNRESET …), retried like ours.
 */
export function classifyError(err: unknown): ErrorDecision {
  if (err instanceof DownloadError) return classifyDownload(err);
  if (err instanceof RunflowNetworkError) return { kind: "retry", reason: err.message };
  if (err instanceof RunflowResponseError) return { kind: "retry", reason: err.message };
  if (err instanceof RunflowApiError) return classifyStatus(err.status ?? 0, err.code, err.retryAfterMs, err.message);
  const code = typeof err === "object" && err !== null && "code" in err ? err.code : undefined;
  const message = err instanceof Error ? err.message : String(err);
  if (typeof code === "string" && NETWORK_CODES.has(code)) return { kind: "retry", reason: `network error (${code}): ${message}` };
  return { kind: "permanent", reason: `unexpected error (probably a bug in runflow-batch, please report it): ${message}` };
}

function classifyStatus(status: number, code: string | null, retryAfterMs: number | null, reason: string): ErrorDecision {
  if (status === 429 || code === "RATE_LIMITED") return { kind: "rate-limited", retryAfterMs };
  if (isOutOfCredit(status, code)) return { kind: "out-of-credit", reason };
  if (status === 401 || status === 403) return { kind: "configuration", reason };
  if (status >= 500 || status === 408) return { kind: "retry", reason };
  return { kind: "permanent", reason };
}

function classifyDownload(err: DownloadError): ErrorDecision {
  switch (err.failure) {
    // "expired": the next attempt re-reads the run, which re-signs its URLs; attempts are bounded.
    case "network":
    case "truncated":
    case "expired":
      return { kind: "retry", reason: err.message };
    case "http":
      return err.status !== null && (err.status >= 500 || err.status === 429 || err.status === 408)
        ? { kind: "retry", reason: err.message }
        : { kind: "permanent", reason: err.message };
    case "filesystem":
      return { kind: "configuration", reason: err.message };
    case "no-url":
    case "content-type":
    case "too-large":
      return { kind: "permanent", reason: err.message };
  }
}
