import { describe, expect, it } from "vitest";
import { BatchError } from "../core/errors.js";
import {
  classifyError,
  DownloadError,
  RunflowApiError,
  RunflowNetworkError,
  RunflowResponseError,
  type DownloadFailure,
} from "./errors.js";

const ref = { method: "POST", path: "/v1/models/openai/gpt-image-2/runs" };
const api = (
  status: number,
  code: string | null = null,
  extra: { errors?: string[]; retryAfterMs?: number | null; path?: string } = {},
) =>
  new RunflowApiError(
    { method: ref.method, path: extra.path ?? ref.path },
    {
      status,
      code,
      serverMessage: "server says no",
      errors: extra.errors ?? [],
      retryAfterMs: extra.retryAfterMs ?? null,
    },
  );

describe("classifyError: API errors", () => {
  it.each([
    [500, "INTERNAL", "retry"],
    [502, null, "retry"],
    [503, "MODEL_UNAVAILABLE", "retry"],
    [504, null, "retry"],
    [408, null, "retry"],
    [401, "UNAUTHORIZED", "configuration"],
    [403, "PERMISSION_DENIED", "configuration"],
    [402, "INSUFFICIENT_CREDIT", "out-of-credit"],
    [402, "INSUFFICIENT_CREDITS", "out-of-credit"],
    [402, null, "out-of-credit"],
    [400, "BAD_REQUEST", "permanent"],
    [404, "RUN_NOT_FOUND", "permanent"],
    [409, "CONFLICT", "permanent"],
    [422, "VALIDATION_ERROR", "permanent"],
    [418, null, "permanent"],
  ] as const)("%d %s → %s", (status, code, kind) => {
    expect(classifyError(api(status, code)).kind).toBe(kind);
  });

  it("429 → rate-limited with Retry-After in ms, or null without it", () => {
    expect(classifyError(api(429, "RATE_LIMITED", { retryAfterMs: 2000 }))).toEqual({
      kind: "rate-limited",
      retryAfterMs: 2000,
    });
    expect(classifyError(api(429, "RATE_LIMITED"))).toEqual({ kind: "rate-limited", retryAfterMs: null });
  });

  it("goes by the code when the status disagrees", () => {
    expect(classifyError(api(403, "INSUFFICIENT_CREDITS")).kind).toBe("out-of-credit");
    expect(classifyError(api(400, "RATE_LIMITED")).kind).toBe("rate-limited");
  });

  it("puts the errors[] detail into a permanent reason", () => {
    const decision = classifyError(
      api(422, "VALIDATION_ERROR", { errors: ["input.quality: must be one of low, medium, high"] }),
    );
    expect(decision.kind).toBe("permanent");
    expect(decision.kind === "permanent" && decision.reason).toContain(
      "input.quality: must be one of low, medium, high",
    );
  });

  it("does not repeat detail lines the server message already contains", () => {
    const err = new RunflowApiError(ref, {
      status: 422,
      code: "VALIDATION_ERROR",
      serverMessage: "Input validation failed: input.quality must be low",
      errors: ["input.quality must be low", "input.size: bad"],
      retryAfterMs: null,
    });
    expect(err.message.match(/input\.quality must be low/g)).toHaveLength(1);
    expect(err.message).toContain("(input.size: bad)");
  });

  it("names the request and how to fix it", () => {
    const unauthorized = api(401, "UNAUTHORIZED");
    expect(unauthorized.message).toContain("POST /v1/models/openai/gpt-image-2/runs");
    expect(unauthorized.message).toContain("RUNFLOW_API_KEY");
    expect(api(404, "RUN_NOT_FOUND", { path: "/v1/runs/abc" }).message).toContain("run id is unknown");
    expect(api(404, "NOT_FOUND").message).toContain("model name");
    expect(api(402, "INSUFFICIENT_CREDIT").message).toContain("Add credit");
    expect(api(409, "CONFLICT").message).toContain("Idempotency-Key");
  });

  it("maps to exit codes: 1 for refused rows, 4 for configuration and outages", () => {
    expect(api(422).exitCode).toBe(1);
    expect(api(404).exitCode).toBe(1);
    expect(api(401).exitCode).toBe(4);
    expect(api(503).exitCode).toBe(4);
    expect(api(401)).toBeInstanceOf(BatchError);
  });
});

describe("classifyError: network, response, download and unknown errors", () => {
  it("network errors and timeouts → retry", () => {
    const reset = new RunflowNetworkError(ref, {
      code: "ECONNRESET",
      timedOut: false,
      detail: "socket hang up",
    });
    const timeout = new RunflowNetworkError(ref, {
      code: "UND_ERR_HEADERS_TIMEOUT",
      timedOut: true,
      detail: "30000 ms",
    });
    expect(classifyError(reset).kind).toBe("retry");
    expect(classifyError(timeout).kind).toBe("retry");
    expect(timeout.message).toContain("timed out");
  });

  it("an unreadable 2xx body → retry", () => {
    expect(classifyError(new RunflowResponseError(ref, { status: 200, detail: "not JSON" })).kind).toBe(
      "retry",
    );
  });

  it.each([
    ["network", null, "retry"],
    ["truncated", 200, "retry"],
    ["expired", 403, "permanent"],
    ["http", 503, "retry"],
    ["http", 429, "retry"],
    ["http", 400, "permanent"],
    ["no-url", 404, "permanent"],
    ["content-type", 200, "permanent"],
    ["too-large", 200, "permanent"],
    ["filesystem", null, "local"],
    ["storage", null, "local"],
  ] as const)("download %s (status %s) → %s", (failure: DownloadFailure, status, kind) => {
    const err = new DownloadError(
      "x",
      { method: "GET", path: "https://cdn/out.png" },
      { failure, runId: "r", index: 0, status },
    );
    expect(classifyError(err).kind).toBe(kind);
  });

  it("bare Node network errors → retry", () => {
    expect(classifyError(Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" })).kind).toBe(
      "retry",
    );
  });

  it("anything else is a bug → permanent, saying so", () => {
    const decision = classifyError(new TypeError("cannot read properties of undefined"));
    expect(decision).toEqual({ kind: "permanent", reason: expect.stringContaining("bug") });
    expect(classifyError("a string").kind).toBe("permanent");
    expect(classifyError(undefined).kind).toBe("permanent");
  });
});

describe("classifyError: this machine's file system", () => {
  it("a file system error with a path is local, naming the path; without a path it is a bug", () => {
    const enospc = Object.assign(new Error("ENOSPC: no space left on device, open '/out/images/a.png'"), {
      code: "ENOSPC",
      path: "/out/images/a.png",
      syscall: "open",
    });
    expect(classifyError(enospc)).toEqual({
      kind: "local",
      reason: "could not write /out/images/a.png: ENOSPC (a local error on this machine, not Runflow's)",
    });
    expect(classifyError(Object.assign(new Error("x"), { code: "EEXIST" })).kind).toBe("permanent");
  });
});
