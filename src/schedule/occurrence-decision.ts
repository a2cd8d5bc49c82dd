/**
 * Deciding an occurrence once: under the schedule's lock, what decide.ts says given what came
 * before it (an earlier decision, an occurrence still running, waiting ones ahead), recorded once
 * (HSETNX for a first claim) with the schedule's current occurrence and waiting list kept in step.
 */
import { durationText } from "../core/duration.js";
import type { BatchRecords } from "../ledger/batch-records.js";
import { occurrenceRunning } from "./batch-ended.js";
import { decide, type Decision } from "./decide.js";
import type { OccurrenceTime } from "./occurrence.js";
import type { OccurrenceEntry, OccurrenceStore } from "./occurrence-store.js";
import type { Schedule } from "./schedule.js";

export interface DecisionContext {
  readonly store: OccurrenceStore;
  readonly batches: Pick<BatchRecords, "get">;
  readonly now: () => number;
}

/** The schedule's occurrence still running (other than `self`), or null. */
async function runningOf(
  ctx: DecisionContext,
  name: string,
  self: string,
): Promise<{ key: string; batchId: string } | null> {
  const { store } = ctx;
  const current = await store.current(name);
  if (!current || current.key === self) return null;
  const entry = await store.entry(name, current.key);
  if (entry?.outcome === "error") return null;
  const record = await ctx.batches.get(current.batch);
  return occurrenceRunning(record, current.started_ms, ctx.now())
    ? { key: current.key, batchId: current.batch }
    : null;
}

interface EntryFacts {
  readonly schedule: Schedule;
  readonly occurrence: OccurrenceTime;
  readonly batchId: string;
  readonly at: number;
  readonly manual: boolean;
}

function entryOf(f: EntryFacts, outcome: OccurrenceEntry["outcome"], reason: string | null): OccurrenceEntry {
  return {
    key: f.occurrence.key,
    due_ms: f.occurrence.dueMs,
    decided_ms: f.at,
    outcome,
    batch: outcome === "started" ? f.batchId : null,
    reason,
    started_ms: outcome === "started" ? f.at : null,
    opened_ms: null,
    manual: f.manual,
    ...(outcome === "waiting" ? { schedule: f.schedule } : {}),
  };
}

/** Decides the occurrence under the schedule's lock and records the decision; `manual`: `schedule run`. */
export async function decideOnce(
  ctx: DecisionContext,
  schedule: Schedule,
  occurrence: OccurrenceTime,
  batchId: string,
  manual: boolean,
): Promise<Decision> {
  const { store } = ctx;
  const { name } = schedule;
  return store.withLock(name, async () => {
    const earlier = await store.entry(name, occurrence.key);
    const running = await runningOf(ctx, name, occurrence.key);
    const ahead =
      schedule.overlap === "queue" ? await store.waitingBefore(name, occurrence.dueMs, occurrence.key) : null;
    const at = ctx.now();
    const decision = decide({
      overlap: schedule.overlap,
      startingDeadlineMs: schedule.startingDeadlineMs,
      dueMs: occurrence.dueMs,
      nowMs: at,
      earlier: earlier?.outcome ?? null,
      running,
      waitingAhead: ahead,
      spoken: durationText,
    });
    const facts = { schedule, occurrence, batchId, at, manual: earlier?.manual ?? manual };
    if (decision.kind === "start") {
      // The occurrence is claimed once: a second claim of the same key writes nothing.
      if (earlier === null) await store.put(name, entryOf(facts, "started", null), true);
      else await store.put(name, entryOf(facts, "started", null));
      await store.setCurrent(name, { key: occurrence.key, batch: batchId, started_ms: at });
      await store.unwait(name, occurrence.key);
    } else if (decision.kind === "skip" || decision.kind === "miss") {
      const outcome = decision.kind === "skip" ? "skipped" : "missed";
      await store.put(name, entryOf(facts, outcome, decision.reason));
      await store.unwait(name, occurrence.key);
    } else if (decision.kind === "wait" && earlier === null) {
      await store.put(name, entryOf(facts, "waiting", decision.reason), true);
      await store.wait(name, occurrence.key, occurrence.dueMs);
    }
    return decision;
  });
}
