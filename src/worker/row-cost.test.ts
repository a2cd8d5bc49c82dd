import { describe, expect, it } from "vitest";
import { BUILT_IN_PRICES } from "../pricing/table.js";
import { RunflowApiError, RunflowNetworkError } from "../runflow/errors.js";
import type { Run, RunStatus } from "../runflow/types.js";
import { endedRunCost, runflowSide, unendedRowCost, type CostedRow } from "./row-cost.js";
import { IdempotencyWindowPassed, RowAttemptError } from "./row-errors.js";

const high: CostedRow = { row: { model: "openai/gpt-image-2", quality: "high" }, estimateMicros: 266_000 };
const tagRemoval: CostedRow = {
  row: { model: "runflow/tag-removal", quality: null },
  estimateMicros: 140_000,
};
const run = (status: RunStatus, costMicros: number | null, outputs = 0): Run => ({
  id: "run-1",
  status,
  terminal: true,
  outputUrls: Array.from({ length: outputs }, (_, i) => `https://cdn/o${i}.png`),
  costMicros,
  failureCode: null,
  failureMessage: null,
  createdAt: null,
  durationMs: null,
});
const ref = { method: "POST", path: "/v1/models/openai/gpt-image-2/runs" };
const lost = new RunflowNetworkError(ref, {
  code: "UND_ERR_HEADERS_TIMEOUT",
  timedOut: true,
  detail: "30000 ms",
});
const refused = new RunflowApiError(ref, {
  status: 422,
  code: null,
  serverMessage: null,
  errors: [],
  retryAfterMs: null,
});

describe("row cost: a run that ended", () => {
  it("costs what Runflow says it cost, whatever its status", () => {
    expect(endedRunCost(run("succeeded", 250_000, 2), high, BUILT_IN_PRICES)).toBe(250_000);
    expect(endedRunCost(run("failed", 1_000), high, BUILT_IN_PRICES)).toBe(1_000);
  });

  it("without a reported cost: the price table for the images produced, or one request", () => {
    expect(endedRunCost(run("succeeded", null, 2), high, BUILT_IN_PRICES)).toBe(266_000);
    expect(endedRunCost(run("partial_succeeded", null, 1), high, BUILT_IN_PRICES)).toBe(133_000);
    expect(endedRunCost(run("succeeded", null, 1), tagRemoval, BUILT_IN_PRICES)).toBe(140_000);
  });

  it("a failed or canceled run without a reported cost costs nothing", () => {
    expect(endedRunCost(run("failed", null), high, BUILT_IN_PRICES)).toBe(0);
    expect(endedRunCost(run("canceled", null), high, BUILT_IN_PRICES)).toBe(0);
  });
});

describe("row cost: a failed attempt", () => {
  it("a create whose answer was lost may have made a run: counted at the estimate, and says so", () => {
    const side = runflowSide(new RowAttemptError({ phase: "create", runId: null, run: null }, lost));
    expect(side).toEqual({ kind: "maybe-run", lostCreate: true });
    expect(unendedRowCost({ kind: "maybe-run", lostCreate: true }, high)).toBe(266_000);
  });

  it("a definite refusal made no run: nothing", () => {
    const side = runflowSide(new RowAttemptError({ phase: "create", runId: null, run: null }, refused));
    expect(side).toEqual({ kind: "no-run" });
    expect(unendedRowCost({ kind: "no-run" }, high)).toBe(0);
  });

  it("a run whose end is unknown, or a create past the idempotency window: the estimate", () => {
    expect(runflowSide(new RowAttemptError({ phase: "wait", runId: "run-1", run: null }, lost))).toEqual({
      kind: "maybe-run",
      lostCreate: false,
    });
    const window = new IdempotencyWindowPassed("b1/chair", 0);
    expect(runflowSide(new RowAttemptError({ phase: "create", runId: null, run: null }, window))).toEqual({
      kind: "maybe-run",
      lostCreate: false,
    });
  });

  it("a run that ended but could not be downloaded or recorded: what the run cost", () => {
    const ended = run("succeeded", null, 2);
    expect(runflowSide(new RowAttemptError({ phase: "download", runId: "run-1", run: ended }, lost))).toEqual(
      {
        kind: "ended",
        run: ended,
      },
    );
  });
});
