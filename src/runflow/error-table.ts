/**
 * The one table of what a failed request means. Every failure is first given a decision (the
 * rows below: HTTP status or Runflow code, network error, download failure); the decision then
 * fixes what the worker does about it and the exit code if it reaches the command line
 * (DECISIONS). classifyError, the error classes' exit codes and the worker's error policy all
 * read this module, so they cannot disagree. Pure.
 *
 *   decision        worker action   exit  meaning
 *   retry           retry           4     transient (5xx, 408, network): BullMQ retries with backoff
 *   rate-limited    rate-limit      4     429: the whole queue slows down, no attempt is spent
 *   out-of-credit   pause-credit    4     402: submitting pauses until the balance allows
 *   configuration   stop            4     401/403: bad key or permission, the worker stops
 *   local           pause-local     2     this machine cannot write the output (ENOENT, EACCES, ENOSPC;
 *                                         object storage: 5xx, SlowDown, 403, no answer): the row keeps
 *                                         its run and waits; submitting pauses
 *   permanent       fail            1     the row cannot succeed (400, 404, 409, 410, 413, 422, …)
 */
import { EXIT, type ExitCode } from "../core/exit-codes.js";
import type { ErrorDecision } from "./types.js";

export type DecisionKind = ErrorDecision["kind"];

/** The worker's action for a decision, before its phase and attempts are weighed (worker/error-policy.ts). */
export type NominalAction = "retry" | "rate-limit" | "pause-credit" | "pause-local" | "stop" | "fail";

export interface DecisionEffect {
  readonly action: NominalAction;
  /**
   * 1 the row was refused for good; 2 the output directory cannot be written; 4 Runflow
   * unreachable, misbehaving or misconfigured (README, "Exit codes").
   */
  readonly exitCode: ExitCode;
}

export const DECISIONS: Readonly<Record<DecisionKind, DecisionEffect>> = {
  retry: { action: "retry", exitCode: EXIT.unavailable },
  "rate-limited": { action: "rate-limit", exitCode: EXIT.unavailable },
  "out-of-credit": { action: "pause-credit", exitCode: EXIT.unavailable },
  configuration: { action: "stop", exitCode: EXIT.unavailable },
  local: { action: "pause-local", exitCode: EXIT.usage },
  permanent: { action: "fail", exitCode: EXIT.failedRows },
};

export function exitCodeFor(kind: DecisionKind): ExitCode {
  return DECISIONS[kind].exitCode;
}

/** One row of the HTTP table: a Runflow `code`, an exact status, or any 5xx. */
export interface ApiErrorRule {
  readonly match: { readonly code: string } | { readonly status: number } | { readonly status: "5xx" };
  readonly decision: DecisionKind;
}

/**
 * Runflow's answers (docs/runflow-api.md, "Answers and what the tool does"), first match wins: a
 * code outranks its status (a 403 INSUFFICIENT_CREDITS is out of credit), and rate limiting
 * outranks everything.
 * Any status not listed is permanent: retrying an answer we do not understand repeats it.
 */
export const API_ERROR_RULES: readonly ApiErrorRule[] = [
  { match: { code: "RATE_LIMITED" }, decision: "rate-limited" },
  { match: { status: 429 }, decision: "rate-limited" },
  // Runflow spells this code both ways.
  { match: { code: "INSUFFICIENT_CREDIT" }, decision: "out-of-credit" },
  { match: { code: "INSUFFICIENT_CREDITS" }, decision: "out-of-credit" },
  { match: { status: 402 }, decision: "out-of-credit" },
  { match: { status: 401 }, decision: "configuration" },
  { match: { status: 403 }, decision: "configuration" },
  { match: { status: 408 }, decision: "retry" },
  { match: { status: "5xx" }, decision: "retry" },
  { match: { status: 400 }, decision: "permanent" },
  { match: { status: 404 }, decision: "permanent" },
  { match: { status: 409 }, decision: "permanent" },
  { match: { status: 410 }, decision: "permanent" },
  { match: { status: 413 }, decision: "permanent" },
  { match: { status: 422 }, decision: "permanent" },
];

function matches(rule: ApiErrorRule, status: number, code: string | null): boolean {
  const m = rule.match;
  if ("code" in m) return code === m.code;
  return m.status === "5xx" ? status >= 500 : status === m.status;
}

/** The first rule that matches an HTTP error answer, if any. */
export function ruleFor(status: number, code: string | null): ApiErrorRule | undefined {
  return API_ERROR_RULES.find((rule) => matches(rule, status, code));
}

/** The decision for an HTTP error answer. */
export function apiDecision(status: number, code: string | null): DecisionKind {
  return ruleFor(status, code)?.decision ?? "permanent";
}

export type DownloadFailure =
  | "http" // the output URL answered with an unexpected status
  | "expired" // 403/404/410 even after re-reading the run for a fresh URL
  | "no-url" // the re-read run has no output at that index
  | "content-type" // not image/png, image/jpeg or image/webp
  | "too-large" // over maxDownloadBytes
  | "truncated" // fewer bytes than content-length, or the connection dropped mid-body
  | "network"
  | "filesystem" // could not create the directory or write/rename the file: a local fault
  | "storage"; // the batch's object storage refused or did not answer the write: a local fault too

/**
 * Downloads of a run's outputs. "expired" is final: download.ts already re-read the run for a
 * fresh URL and was refused again, so the outputs are gone (the row keeps its cost; see
 * retry-policy.ts outputsGone). "http" goes by the status, as an API answer would.
 */
export const DOWNLOAD_RULES: Readonly<Record<DownloadFailure, DecisionKind | "by-status">> = {
  network: "retry",
  truncated: "retry",
  expired: "permanent",
  http: "by-status",
  filesystem: "local",
  storage: "local",
  "no-url": "permanent",
  "content-type": "permanent",
  "too-large": "permanent",
};

/** An output URL's status is worth another try when the API's would be (408, 429, 5xx); else permanent. */
export function downloadDecision(failure: DownloadFailure, status: number | null): DecisionKind {
  const rule = DOWNLOAD_RULES[failure];
  if (rule !== "by-status") return rule;
  const byStatus = status === null ? "permanent" : apiDecision(status, null);
  return byStatus === "retry" || byStatus === "rate-limited" ? "retry" : "permanent";
}

/** Error codes of Node's file system that mean "this machine cannot write there": a local fault. */
export const LOCAL_FS_CODES: ReadonlySet<string> = new Set([
  "EACCES",
  "EPERM",
  "ENOENT",
  "ENOTDIR",
  "EEXIST",
  "EISDIR",
  "ENOSPC",
  "EDQUOT",
  "EROFS",
  "EMFILE",
  "ENFILE",
]);

/** Error codes of Node and undici that mean "no usable answer": retried like a 5xx. */
export const NETWORK_CODES: ReadonlySet<string> = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "ECONNABORTED",
  "EPIPE",
  "ETIMEDOUT",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "UND_ERR_SOCKET",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
  "UND_ERR_CLOSED",
]);
