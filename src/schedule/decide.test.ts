import { describe, expect, it } from "vitest";
import { decide, type DecisionInput } from "./decide.js";
import { durationText } from "../core/duration.js";

const due = Date.parse("2026-12-01T01:00:00Z");
const base: DecisionInput = {
  overlap: "skip",
  startingDeadlineMs: null,
  dueMs: due,
  nowMs: due + 40,
  earlier: null,
  running: null,
  waitingAhead: null,
  spoken: durationText,
};
const running = { key: "2026-11-30T0200", batchId: "nightly-2026-11-30T0200" };

describe("what an occurrence does", () => {
  it("starts when nothing runs", () => {
    expect(decide(base)).toEqual({ kind: "start" });
    expect(decide({ ...base, overlap: "queue" })).toEqual({ kind: "start" });
  });

  it("a duplicate fire resumes the started occurrence; a settled one stays settled", () => {
    expect(decide({ ...base, earlier: "started", running })).toEqual({ kind: "resume" });
    for (const earlier of ["skipped", "missed", "error"] as const)
      expect(decide({ ...base, earlier })).toEqual({ kind: "settled" });
  });

  it("overlap: skip records the occurrence as skipped while the previous one runs", () => {
    expect(decide({ ...base, running })).toEqual({
      kind: "skip",
      reason: "the previous occurrence (batch nightly-2026-11-30T0200) was still running",
    });
  });

  it("overlap: queue waits for the previous one, and behind earlier waiting ones", () => {
    expect(decide({ ...base, overlap: "queue", running })).toEqual({
      kind: "wait",
      reason: "waits for batch nightly-2026-11-30T0200 to end",
    });
    expect(
      decide({ ...base, overlap: "queue", earlier: "waiting", waitingAhead: "2026-11-30T0200" }),
    ).toEqual({
      kind: "wait",
      reason: "waits behind the occurrence due 2026-11-30 02:00",
    });
    expect(decide({ ...base, overlap: "queue", earlier: "waiting" })).toEqual({ kind: "start" });
  });

  it("misses an occurrence that cannot start within its starting deadline", () => {
    const deadline = 2 * 3_600_000;
    expect(decide({ ...base, startingDeadlineMs: deadline, nowMs: due + deadline })).toEqual({
      kind: "start",
    });
    expect(decide({ ...base, startingDeadlineMs: deadline, nowMs: due + deadline + 60_000 })).toEqual({
      kind: "miss",
      reason: "could not start within its starting_deadline (2h) of its due time: 2h1m late",
    });
    // A queued occurrence waiting past its deadline is missed too, saying what it waited for.
    expect(
      decide({
        ...base,
        overlap: "queue",
        earlier: "waiting",
        running,
        startingDeadlineMs: 1_000,
        nowMs: due + 5_000,
      }),
    ).toEqual({
      kind: "miss",
      reason:
        "could not start within its starting_deadline (1s) of its due time, " +
        "waiting for batch nightly-2026-11-30T0200 to end: 5s late",
    });
    // Without a deadline any lateness is fine.
    expect(decide({ ...base, nowMs: due + 86_400_000 })).toEqual({ kind: "start" });
  });
});
