import { describe, expect, it } from "vitest";
import { WORKER_DEFAULTS } from "../config/defaults.js";
import { DECISIONS } from "../runflow/error-table.js";
import { DownloadError, RunflowApiError } from "../runflow/errors.js";
import type { ErrorDecision } from "../runflow/types.js";
import { decideAction, decideRowAction, type JobSituation } from "./error-policy.js";
import { BudgetHold, RowAttemptError } from "./row-errors.js";

const pauses = WORKER_DEFAULTS.pauses;

describe("error policy: decisions", () => {
  it("takes each decision's action from the error table while the row has attempts left", () => {
    const decisions: ErrorDecision[] = [
      { kind: "retry", reason: "503" },
      { kind: "rate-limited", retryAfterMs: null },
      { kind: "out-of-credit", reason: "402" },
      { kind: "configuration", reason: "401" },
      { kind: "local", reason: "could not write out/images/a.png: ENOSPC" },
      { kind: "permanent", reason: "422" },
    ];
    for (const decision of decisions) {
      expect(decideAction(decision, 0, 5, pauses).kind, decision.kind).toBe(DECISIONS[decision.kind].action);
    }
  });

  it("retries transient errors until the last attempt, then records the row as failed", () => {
    expect(decideAction({ kind: "retry", reason: "503" }, 0, 5, pauses)).toEqual({
      kind: "retry",
      reason: "503",
    });
    expect(decideAction({ kind: "retry", reason: "503" }, 3, 5, pauses)).toEqual({
      kind: "retry",
      reason: "503",
    });
    expect(decideAction({ kind: "retry", reason: "503" }, 4, 5, pauses)).toEqual({
      kind: "fail",
      reason: "gave up after 5 attempts: 503",
    });
  });

  it("slows the queue on 429 by Retry-After, else by the default pause, without failing the row", () => {
    expect(decideAction({ kind: "rate-limited", retryAfterMs: 7_000 }, 9, 5, pauses)).toEqual({
      kind: "rate-limit",
      delayMs: 7_000,
    });
    expect(decideAction({ kind: "rate-limited", retryAfterMs: null }, 0, 5, pauses)).toEqual({
      kind: "rate-limit",
      delayMs: pauses.rateLimitMs,
    });
  });

  it("pauses on 402 however many attempts were made: being out of credit is not the row's fault", () => {
    expect(
      decideAction({ kind: "out-of-credit", reason: "402" }, 4, 5, { ...pauses, outOfCreditMs: 250 }),
    ).toEqual({
      kind: "pause-credit",
      delayMs: 250,
      reason: "402",
    });
  });

  it("pauses a row whose images cannot be written here, at its last attempt too: it keeps its run", () => {
    const local = { kind: "local", reason: "could not write out/images/a.png: ENOSPC" } as const;
    expect(decideAction(local, 4, 5, { ...pauses, localWriteMs: 900 }, "download")).toEqual({
      kind: "pause-local",
      delayMs: 900,
      reason: local.reason,
    });
  });

  it("stops the worker on configuration errors and fails the row at once on permanent ones", () => {
    expect(decideAction({ kind: "configuration", reason: "401" }, 0, 5, pauses)).toEqual({
      kind: "stop",
      delayMs: pauses.misconfiguredMs,
      reason: "401",
    });
    expect(decideAction({ kind: "permanent", reason: "422 input.quality" }, 0, 5, pauses)).toEqual({
      kind: "fail",
      reason: "422 input.quality",
    });
  });

  it("never fails a row for transient trouble while its run exists: it looks again, spending no attempt", () => {
    const waitAgain = { kind: "wait-again", delayMs: pauses.unreadableRunMs };
    expect(decideAction({ kind: "retry", reason: "socket hang up" }, 4, 5, pauses, "wait")).toEqual(
      waitAgain,
    );
    expect(decideAction({ kind: "rate-limited", retryAfterMs: 3_000 }, 4, 5, pauses, "wait")).toEqual({
      kind: "wait-again",
      delayMs: 3_000,
    });
    expect(decideAction({ kind: "permanent", reason: "404 RUN_NOT_FOUND" }, 0, 5, pauses, "wait")).toEqual({
      kind: "fail",
      reason: "404 RUN_NOT_FOUND",
    });
    // Downloads keep their attempts: a broken output link must end in a recorded failure, not a loop.
    expect(decideAction({ kind: "retry", reason: "truncated" }, 4, 5, pauses, "download")).toMatchObject({
      kind: "fail",
    });
  });
});

describe("error policy: a row's failed attempt", () => {
  const job: JobSituation = { attemptsMade: 0, maxAttempts: 5, shuttingDown: false, pauses };
  const created = { phase: "create", runId: null, run: null } as const;
  const unavailable = new RunflowApiError(
    { method: "POST", path: "/v1/models/openai/gpt-image-2/runs" },
    { status: 503, code: "MODEL_UNAVAILABLE", serverMessage: null, errors: [], retryAfterMs: null },
  );

  it("holds a row the budget cap refused, even while shutting down", () => {
    const held = new RowAttemptError(created, new BudgetHold("b1", "r1"));
    expect(decideRowAction(held, job)).toEqual({ kind: "hold", delayMs: pauses.budgetHoldMs });
    expect(decideRowAction(held, { ...job, shuttingDown: true })).toEqual({
      kind: "hold",
      delayMs: pauses.budgetHoldMs,
    });
  });

  it("hands every other row back at once while shutting down", () => {
    const failure = new RowAttemptError({ phase: "wait", runId: "run-1", run: null }, unavailable);
    expect(decideRowAction(failure, { ...job, shuttingDown: true })).toEqual({ kind: "hand-back" });
  });

  it("classifies the cause and weighs the phase it failed in", () => {
    expect(decideRowAction(new RowAttemptError(created, unavailable), job)).toMatchObject({ kind: "retry" });
    const waiting = new RowAttemptError({ phase: "wait", runId: "run-1", run: null }, unavailable);
    expect(decideRowAction(waiting, { ...job, attemptsMade: 4 })).toEqual({
      kind: "wait-again",
      delayMs: pauses.unreadableRunMs,
    });
  });

  it("never makes a Redis error a row's outcome: nothing is recorded, the job goes back or stays", () => {
    const lost = new Error("Connection is closed.");
    const retries = Object.assign(new Error("Reached the max retries per request limit (which is 20)."), {
      name: "MaxRetriesPerRequestError",
    });
    const loading = Object.assign(new Error("LOADING Redis is loading the dataset in memory"), {
      name: "ReplyError",
    });
    const phases = [created, { phase: "wait", runId: "run-1", run: null }] as const;
    for (const cause of [lost, retries, loading]) {
      for (const state of phases) {
        for (const situation of [job, { ...job, attemptsMade: 4 }, { ...job, shuttingDown: true }]) {
          expect(decideRowAction(new RowAttemptError(state, cause), situation)).toEqual({
            kind: "leave",
            delayMs: pauses.unreadableRunMs,
            reason: `Redis failed: ${cause.message}`,
          });
        }
      }
    }
    // Recording a paid row's images failed under Redis: the row is not "paid, images lost".
    const downloaded = new RowAttemptError({ phase: "download", runId: "run-1", run: null }, lost);
    expect(decideRowAction(downloaded, job).kind).toBe("leave");
    // A Redis answer that says the command is wrong is a bug, not an outage.
    const wrong = Object.assign(new Error("WRONGTYPE Operation against a key"), { name: "ReplyError" });
    expect(decideRowAction(new RowAttemptError(created, wrong), job)).toMatchObject({ kind: "fail" });
  });

  it("records a paid row failed only when Runflow says its outputs are gone", () => {
    const download = (failure: "expired" | "no-url" | "network" | "filesystem") =>
      new RowAttemptError(
        { phase: "download", runId: "run-1", run: null },
        new DownloadError(
          "x",
          { method: "GET", path: "https://cdn/o.png" },
          { failure, runId: "run-1", index: 0 },
        ),
      );
    expect(decideRowAction(download("expired"), job)).toMatchObject({
      kind: "fail",
      reason: expect.stringMatching(/^paid, images lost/),
    });
    expect(decideRowAction(download("no-url"), job)).toMatchObject({ kind: "fail" });
    expect(decideRowAction(download("network"), { ...job, attemptsMade: 4 }).kind).toBe("wait-again");
    expect(decideRowAction(download("filesystem"), job).kind).toBe("pause-local");
  });
});
