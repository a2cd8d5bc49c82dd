import { describe, expect, it } from "vitest";
import { decideAction, DEFAULT_RETRY_POLICY } from "./retry-policy.js";

describe("retry policy", () => {
  it("retries transient errors until the last attempt, then records the row as failed", () => {
    expect(decideAction({ kind: "retry", reason: "503" }, 0, 5)).toEqual({ kind: "retry", reason: "503" });
    expect(decideAction({ kind: "retry", reason: "503" }, 3, 5)).toEqual({ kind: "retry", reason: "503" });
    expect(decideAction({ kind: "retry", reason: "503" }, 4, 5)).toEqual({ kind: "fail", reason: "gave up after 5 attempts: 503" });
  });

  it("slows the queue on 429 by Retry-After when given, else by the policy's default, without failing the row", () => {
    expect(decideAction({ kind: "rate-limited", retryAfterMs: 7_000 }, 9, 5)).toEqual({ kind: "rate-limit", delayMs: 7_000 });
    expect(decideAction({ kind: "rate-limited", retryAfterMs: null }, 0, 5)).toEqual({ kind: "rate-limit", delayMs: DEFAULT_RETRY_POLICY.rateLimitDelayMs });
  });

  it("pauses on 402 however many attempts were made: being out of credit is not the row's fault", () => {
    expect(decideAction({ kind: "out-of-credit", reason: "402" }, 4, 5, { rateLimitDelayMs: 1, creditPauseMs: 250, waitRetryMs: 1 })).toEqual({ kind: "pause-credit", delayMs: 250, reason: "402" });
  });

  it("stops the worker on configuration errors and fails the row at once on permanent ones", () => {
    expect(decideAction({ kind: "configuration", reason: "401" }, 0, 5)).toEqual({ kind: "stop", reason: "401" });
    expect(decideAction({ kind: "permanent", reason: "422 input.quality" }, 0, 5)).toEqual({ kind: "fail", reason: "422 input.quality" });
  });

  it("never fails a row for transient trouble while its run exists: it looks again later without spending an attempt", () => {
    expect(decideAction({ kind: "retry", reason: "socket hang up" }, 4, 5, DEFAULT_RETRY_POLICY, "wait")).toEqual({ kind: "wait-again", delayMs: DEFAULT_RETRY_POLICY.waitRetryMs });
    expect(decideAction({ kind: "rate-limited", retryAfterMs: 3_000 }, 4, 5, DEFAULT_RETRY_POLICY, "wait")).toEqual({ kind: "wait-again", delayMs: 3_000 });
    expect(decideAction({ kind: "permanent", reason: "404 RUN_NOT_FOUND" }, 0, 5, DEFAULT_RETRY_POLICY, "wait")).toEqual({ kind: "fail", reason: "404 RUN_NOT_FOUND" });
    // Downloads keep their attempts: a broken output link must end in a recorded failure, not a loop.
    expect(decideAction({ kind: "retry", reason: "truncated" }, 4, 5, DEFAULT_RETRY_POLICY, "download")).toMatchObject({ kind: "fail" });
  });
});
