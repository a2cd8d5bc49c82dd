import { describe, expect, it } from "vitest";
import {
  API_ERROR_RULES,
  apiDecision,
  DECISIONS,
  DOWNLOAD_RULES,
  downloadDecision,
  NETWORK_CODES,
  ruleFor,
  type DecisionKind,
  type DownloadFailure,
  type NominalAction,
} from "./error-table.js";
import { hintFor } from "./error-hints.js";
import {
  classifyError,
  DownloadError,
  RunflowApiError,
  RunflowNetworkError,
  RunflowResponseError,
} from "./errors.js";

const ref = { method: "POST", path: "/v1/models/openai/gpt-image-2/runs" };
const api = (status: number, code: string | null, retryAfterMs: number | null = null) =>
  new RunflowApiError(ref, { status, code, serverMessage: "no", errors: [], retryAfterMs });

type Row = readonly [
  status: number,
  code: string | null,
  decision: DecisionKind,
  action: NominalAction,
  exit: 1 | 4,
];

/** Every row of the HTTP table, as an error the client would throw, and what follows from it. */
const HTTP_ROWS: readonly Row[] = [
  [429, "RATE_LIMITED", "rate-limited", "rate-limit", 4],
  [429, null, "rate-limited", "rate-limit", 4],
  [400, "RATE_LIMITED", "rate-limited", "rate-limit", 4],
  [402, "INSUFFICIENT_CREDIT", "out-of-credit", "pause-credit", 4],
  [402, "INSUFFICIENT_CREDITS", "out-of-credit", "pause-credit", 4],
  [402, null, "out-of-credit", "pause-credit", 4],
  [403, "INSUFFICIENT_CREDITS", "out-of-credit", "pause-credit", 4],
  [401, "UNAUTHORIZED", "configuration", "stop", 4],
  [403, "PERMISSION_DENIED", "configuration", "stop", 4],
  [408, null, "retry", "retry", 4],
  [500, "INTERNAL", "retry", "retry", 4],
  [502, null, "retry", "retry", 4],
  [503, "MODEL_UNAVAILABLE", "retry", "retry", 4],
  [504, null, "retry", "retry", 4],
  [400, "BAD_REQUEST", "permanent", "fail", 1],
  [404, "RUN_NOT_FOUND", "permanent", "fail", 1],
  [409, "CONFLICT", "permanent", "fail", 1],
  [410, null, "permanent", "fail", 1],
  [413, "PAYLOAD_TOO_LARGE", "permanent", "fail", 1],
  [413, null, "permanent", "fail", 1],
  [422, "VALIDATION_ERROR", "permanent", "fail", 1],
  [418, null, "permanent", "fail", 1],
];

describe("error table: HTTP answers", () => {
  it.each(HTTP_ROWS)("%d %s → %s → %s → exit %d", (status, code, decision, action, exit) => {
    const error = api(status, code);
    expect(apiDecision(status, code)).toBe(decision);
    expect(classifyError(error).kind).toBe(decision);
    expect(DECISIONS[decision].action).toBe(action);
    expect(error.exitCode).toBe(exit);
  });

  it("exercises every rule of the table", () => {
    const hit = new Set(HTTP_ROWS.map(([status, code]) => ruleFor(status, code)));
    expect(API_ERROR_RULES.filter((rule) => !hit.has(rule))).toEqual([]);
    expect(ruleFor(418, null)).toBeUndefined(); // not listed: permanent
  });

  it("429 carries Retry-After in ms when Runflow sent it, null when not", () => {
    expect(classifyError(api(429, "RATE_LIMITED", 7_000))).toEqual({
      kind: "rate-limited",
      retryAfterMs: 7_000,
    });
    expect(classifyError(api(429, null))).toEqual({ kind: "rate-limited", retryAfterMs: null });
  });

  it("413 fails the row and says how to fix it", () => {
    expect(api(413, null).message).toContain("too large");
    expect(hintFor(413, null, ref.path)).toContain("shorten");
  });

  it("hints follow the decision where a code outranks the status", () => {
    expect(hintFor(403, "INSUFFICIENT_CREDITS", ref.path)).toContain("Add credit");
    expect(hintFor(400, "RATE_LIMITED", ref.path)).toContain("rate limiting");
    expect(hintFor(408, null, ref.path)).toContain("can be retried");
  });
});

describe("error table: no answer, unreadable answers and downloads", () => {
  it("network errors and unreadable 2xx bodies are retried, exit 4", () => {
    const network = new RunflowNetworkError(ref, { code: "ECONNRESET", timedOut: false, detail: "reset" });
    const response = new RunflowResponseError(ref, { status: 200, detail: "not JSON" });
    for (const error of [network, response]) {
      expect(classifyError(error).kind).toBe("retry");
      expect(error.exitCode).toBe(4);
    }
    for (const code of NETWORK_CODES) {
      expect(classifyError(Object.assign(new Error("x"), { code })).kind, code).toBe("retry");
    }
  });

  const DOWNLOAD_ROWS: readonly (readonly [DownloadFailure, number | null, DecisionKind, 1 | 2 | 4])[] = [
    ["network", null, "retry", 4],
    ["truncated", 200, "retry", 4],
    ["expired", 403, "permanent", 1],
    ["http", 503, "retry", 4],
    ["http", 429, "retry", 4],
    ["http", 408, "retry", 4],
    ["http", 400, "permanent", 1],
    ["http", null, "permanent", 1],
    ["no-url", 404, "permanent", 1],
    ["content-type", 200, "permanent", 1],
    ["too-large", 200, "permanent", 1],
    ["filesystem", null, "local", 2],
    ["storage", null, "local", 2],
  ];

  it.each(DOWNLOAD_ROWS)("download %s (status %s) → %s → exit %d", (failure, status, decision, exit) => {
    const error = new DownloadError(
      "x",
      { method: "GET", path: "https://cdn/o.png" },
      { failure, runId: "r", index: 0, status },
    );
    expect(downloadDecision(failure, status)).toBe(decision);
    expect(classifyError(error).kind).toBe(decision);
    expect(error.exitCode).toBe(exit);
  });

  it("lists every download failure", () => {
    expect(new Set(DOWNLOAD_ROWS.map(([failure]) => failure))).toEqual(new Set(Object.keys(DOWNLOAD_RULES)));
  });

  it("gives every decision an action and an exit code: only a row refused for good exits 1", () => {
    expect(
      Object.entries(DECISIONS)
        .filter(([, effect]) => effect.exitCode === 1)
        .map(([kind]) => kind),
    ).toEqual(["permanent"]);
  });
});
