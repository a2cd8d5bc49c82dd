/**
 * Runflow client errors: small classes carrying what a caller (and classifyError) needs:
 * HTTP status, Runflow `code`, the `errors[]` detail, Retry-After and `cause`. Messages name
 * the request (method and path, never the key or a presigned query string) and say how to fix it.
 * Every class extends BatchError so one escaping to the CLI maps to an exit code, taken from the
 * error's decision in error-table.ts: 1 for a request Runflow refused for good (400, 404, 409,
 * 410, 413, 422, a broken output), 4 otherwise (unreachable, misconfigured, out of credit, rate
 * limited). How to fix each is in error-hints.ts.
 */
import { BatchError } from "../core/errors.js";
import type { ExitCode } from "../core/exit-codes.js";
import { hintFor } from "./error-hints.js";
import {
  apiDecision,
  downloadDecision,
  exitCodeFor,
  LOCAL_FS_CODES,
  NETWORK_CODES,
  type DecisionKind,
  type DownloadFailure,
} from "./error-table.js";
import type { ErrorDecision } from "./types.js";

export type { DownloadFailure } from "./error-table.js";

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

/** Runflow answered with an HTTP error (the flat `{code, message, errors}` envelope). */
export class RunflowApiError extends RunflowError {
  /** Runflow's own `message`, when it sent one. */
  readonly serverMessage: string | null;
  /** The `errors[]` detail, one "field: problem" line each (e.g. "input.quality: must be one of …"). */
  readonly errors: readonly string[];
  constructor(
    request: RequestRef,
    fields: {
      status: number;
      code: string | null;
      serverMessage: string | null;
      errors: readonly string[];
      retryAfterMs: number | null;
    },
  ) {
    const exitCode = exitCodeFor(apiDecision(fields.status, fields.code));
    super(apiErrorMessage(request, fields), request, fields, exitCode);
    this.serverMessage = fields.serverMessage;
    this.errors = fields.errors;
  }
}

/** No usable HTTP answer: connection refused or reset, DNS failure, timeout. */
export class RunflowNetworkError extends RunflowError {
  readonly timedOut: boolean;
  constructor(
    request: RequestRef,
    fields: { code: string | null; timedOut: boolean; detail: string; hint?: string; cause?: unknown },
  ) {
    const what = fields.timedOut ? `timed out (${fields.detail})` : `failed: ${fields.detail}`;
    const hint =
      fields.hint ?? "Check that Runflow is reachable at RUNFLOW_BASE_URL; the request can be retried.";
    super(`${request.method} ${request.path} ${what}. ${hint}`, request, fields, exitCodeFor("retry"));
    this.timedOut = fields.timedOut;
  }
}

/** Runflow answered 2xx but the body is not what the API page describes (not JSON, no run id). */
export class RunflowResponseError extends RunflowError {
  constructor(request: RequestRef, fields: { status: number; detail: string; cause?: unknown }) {
    super(
      `${request.method} ${request.path} returned ${fields.status} with an unreadable body: ` +
        `${fields.detail}. Check RUNFLOW_BASE_URL points at the Runflow API.`,
      request,
      fields,
      exitCodeFor("retry"),
    );
  }
}

export class DownloadError extends RunflowError {
  readonly failure: DownloadFailure;
  readonly runId: string;
  readonly index: number;
  /** The file (or s3:// object) that could not be written (failure "filesystem" or "storage"), else null. */
  readonly file: string | null;
  constructor(
    message: string,
    request: RequestRef,
    fields: {
      failure: DownloadFailure;
      runId: string;
      index: number;
      status?: number | null;
      code?: string | null;
      cause?: unknown;
      file?: string | null;
    },
  ) {
    super(
      `download of output ${fields.index} of run ${fields.runId} (${request.method} ${request.path}): ` +
        message,
      request,
      fields,
      exitCodeFor(downloadDecision(fields.failure, fields.status ?? null)),
    );
    this.failure = fields.failure;
    this.runId = fields.runId;
    this.index = fields.index;
    this.file = fields.file ?? null;
  }
}

function apiErrorMessage(
  request: RequestRef,
  fields: { status: number; code: string | null; serverMessage: string | null; errors: readonly string[] },
): string {
  const label = fields.code === null ? `${fields.status}` : `${fields.status} ${fields.code}`;
  const said = fields.serverMessage === null ? "" : `: ${fields.serverMessage}`;
  // The detail lines the server's message does not already spell out.
  const server = fields.serverMessage;
  const extra = fields.errors.filter((line) => server === null || !server.includes(line));
  const detail = extra.length === 0 ? "" : ` (${extra.join("; ")})`;
  const sentence = `${request.method} ${request.path} → ${label}${said}${detail}`.replace(/[.\s]+$/, "");
  return `${sentence}. ${hintFor(fields.status, fields.code, request.path)}`;
}

/**
 * Retry, back off, pause, stop or fail the row? Pure; the decisions come from error-table.ts and
 * the worker maps them to an action (worker/error-policy.ts).
 * Errors this module did not make (a TypeError, a bug) are `permanent`: retrying a bug repeats
 * it and burns attempts, and failing the row with the message makes it visible in the report.
 * The one exception is a bare Node/undici network error (code ECONNRESET …), retried like ours.
 */
export function classifyError(err: unknown): ErrorDecision {
  if (err instanceof DownloadError)
    return decided(downloadDecision(err.failure, err.status), err.message, null);
  if (err instanceof RunflowNetworkError) return { kind: "retry", reason: err.message };
  if (err instanceof RunflowResponseError) return { kind: "retry", reason: err.message };
  if (err instanceof RunflowApiError) {
    return decided(apiDecision(err.status ?? 0, err.code), err.message, err.retryAfterMs);
  }
  const code = typeof err === "object" && err !== null && "code" in err ? err.code : undefined;
  const message = err instanceof Error ? err.message : String(err);
  if (typeof code === "string" && NETWORK_CODES.has(code)) {
    return { kind: "retry", reason: `network error (${code}): ${message}` };
  }
  // A file system error with a path (mkdir, open, rename of an output): this machine's, not Runflow's.
  const where = typeof err === "object" && err !== null && "path" in err ? err.path : undefined;
  if (typeof code === "string" && LOCAL_FS_CODES.has(code) && typeof where === "string") {
    return {
      kind: "local",
      reason: `could not write ${where}: ${code} (a local error on this machine, not Runflow's)`,
    };
  }
  return {
    kind: "permanent",
    reason: `unexpected error (probably a bug in runflow-batch, please report it): ${message}`,
  };
}

function decided(kind: DecisionKind, reason: string, retryAfterMs: number | null): ErrorDecision {
  return kind === "rate-limited" ? { kind, retryAfterMs } : { kind, reason };
}
