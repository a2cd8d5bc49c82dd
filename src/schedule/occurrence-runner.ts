/**
 * Handling one occurrence, from whichever process takes it (a `serve` on any machine, or
 * `schedule run`): decide under the schedule's lock (decide.ts) and record the decision once
 * (HSETNX), then start its batch through `start` (the command layer opens the batch and queues
 * its rows, like `submit`) while holding the occurrence's lease. A duplicate fire of a started
 * occurrence only finishes what a crashed start left undone; it never makes a second batch.
 */
import { durationText } from "../core/duration.js";
import type { Logger } from "../log/logger.js";
import type { BatchRecords } from "../ledger/batch-records.js";
import { batchEnded, occurrenceRunning } from "./batch-ended.js";
import { decide, type Decision } from "./decide.js";
import { occurrenceOf, type OccurrenceTime } from "./occurrence.js";
import type { OccurrenceEntry, OccurrenceStore } from "./occurrence-store.js";
import { occurrenceBatchId, type Schedule } from "./schedule.js";

interface StartedBatch {
  readonly batchId: string;
  readonly rows: number;
  readonly enqueued: number;
  readonly alreadyDone: number;
  /** Runs the occurrence's plan makes, and what its batch had spent before it (a kept directory's batch). */
  readonly runs?: number;
  readonly spentBeforeMicros?: number;
}

/** Opens the occurrence's batch and queues its rows (schedule/start-occurrence.ts). */
export type StartBatch = (
  schedule: Schedule,
  occurrence: OccurrenceTime,
  batchId: string,
) => Promise<StartedBatch>;

/** Errors no retry can mend (an invalid or missing manifest, a budget refusal): the occurrence is `error`. */
export type IsDefinite = (error: unknown) => boolean;

export interface RunnerDeps {
  readonly store: OccurrenceStore;
  readonly batches: Pick<BatchRecords, "get">;
  readonly start: StartBatch;
  readonly isDefinite: IsDefinite;
  readonly logger: Logger;
  readonly now?: () => number;
  /** Whether Redis still holds the schedule: a waiting occurrence of a removed schedule is missed. */
  readonly stillScheduled?: (name: string) => Promise<boolean>;
}

interface HandleOptions {
  /** Started with `schedule run`. */
  readonly manual?: boolean;
  /** The last try BullMQ will make: a failure now is recorded as `error` instead of retried. */
  readonly finalAttempt?: boolean;
  /** Called back from the waiting queue: only a waiting occurrence is started, nothing is resumed. */
  readonly fromQueue?: boolean;
}

interface Handled {
  readonly key: string;
  readonly batchId: string;
  readonly decision: Decision;
  /** What the start did, when this call started (or finished starting) the batch. */
  readonly started: StartedBatch | null;
  /** Why the start failed, when it did, and the error itself. */
  readonly error: string | null;
  readonly failure?: unknown;
}

/** How long a duplicate fire waits for another process that is opening the same occurrence. */
const LEASE_WAIT_MS = 60_000;

export interface OccurrenceRunner {
  handle(schedule: Schedule, dueMs: number, options?: HandleOptions): Promise<Handled>;
  /** Starts the waiting (`overlap: queue`) occurrences whose turn has come; misses the ones too late. */
  pumpWaiting(): Promise<void>;
}

export function createOccurrenceRunner(deps: RunnerDeps): OccurrenceRunner {
  const { store, logger } = deps;
  const now = deps.now ?? (() => Date.now());

  async function runningOf(name: string, self: string): Promise<{ key: string; batchId: string } | null> {
    const current = await store.current(name);
    if (!current || current.key === self) return null;
    const entry = await store.entry(name, current.key);
    if (entry?.outcome === "error") return null;
    const record = await deps.batches.get(current.batch);
    return occurrenceRunning(record, current.started_ms, now())
      ? { key: current.key, batchId: current.batch }
      : null;
  }

  async function decideOnce(
    schedule: Schedule,
    occurrence: OccurrenceTime,
    batchId: string,
    options: HandleOptions,
  ) {
    const { name } = schedule;
    return store.withLock(name, async () => {
      const earlier = await store.entry(name, occurrence.key);
      const running = await runningOf(name, occurrence.key);
      const ahead =
        schedule.overlap === "queue"
          ? await store.waitingBefore(name, occurrence.dueMs, occurrence.key)
          : null;
      const at = now();
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
      const entry = (outcome: OccurrenceEntry["outcome"], reason: string | null): OccurrenceEntry => ({
        key: occurrence.key,
        due_ms: occurrence.dueMs,
        decided_ms: at,
        outcome,
        batch: outcome === "started" ? batchId : null,
        reason,
        started_ms: outcome === "started" ? at : null,
        opened_ms: null,
        manual: earlier?.manual ?? options.manual === true,
        ...(outcome === "waiting" ? { schedule } : {}),
      });
      if (decision.kind === "start") {
        // The occurrence is claimed once: a second claim of the same key writes nothing.
        if (earlier === null) await store.put(name, entry("started", null), true);
        else await store.put(name, entry("started", null));
        await store.setCurrent(name, { key: occurrence.key, batch: batchId, started_ms: at });
        await store.unwait(name, occurrence.key);
      } else if (decision.kind === "skip" || decision.kind === "miss") {
        await store.put(name, entry(decision.kind === "skip" ? "skipped" : "missed", decision.reason));
        await store.unwait(name, occurrence.key);
      } else if (decision.kind === "wait" && earlier === null) {
        await store.put(name, entry("waiting", decision.reason), true);
        await store.wait(name, occurrence.key, occurrence.dueMs);
      }
      return decision;
    });
  }

  /** Opens the batch (holding the lease); on a definite failure records the occurrence as `error`. */
  async function open(
    schedule: Schedule,
    occurrence: OccurrenceTime,
    batchId: string,
    options: HandleOptions,
  ) {
    const { name } = schedule;
    const result = await store.withLease(name, occurrence.key, LEASE_WAIT_MS, async () => {
      const entry = await store.entry(name, occurrence.key);
      if (!entry || entry.outcome !== "started" || entry.opened_ms !== null)
        return { started: null, error: null };
      const record = await deps.batches.get(batchId);
      // Ended since this occurrence started: a duplicate fire. (A schedule that keeps one directory
      // up to date finds its batch ended by the previous occurrence: that one it opens again.)
      const endedBefore = record?.endedAt != null && Date.parse(record.endedAt) < (entry.started_ms ?? 0);
      if (record && batchEnded(record) && !endedBefore) return { started: null, error: null };
      try {
        const started = await deps.start(schedule, occurrence, batchId);
        await store.put(name, {
          ...entry,
          opened_ms: now(),
          runs: started.runs,
          spent_before_micros: started.spentBeforeMicros,
        });
        return { started, error: null };
      } catch (error) {
        if (!deps.isDefinite(error) && options.finalAttempt !== true) throw error;
        const reason = error instanceof Error ? error.message : String(error);
        await store.put(name, { ...entry, outcome: "error", reason, batch: null });
        await store.clearCurrent(name, occurrence.key);
        logger.warn(
          { schedule: name, occurrence: occurrence.key },
          `Schedule ${name}: the occurrence ${occurrence.key} could not start: ${reason}`,
        );
        return { started: null, error: reason, failure: error };
      }
    });
    if (result === null)
      throw new Error(`schedule ${name}: another process is still starting the occurrence ${occurrence.key}`);
    return result;
  }

  async function handle(schedule: Schedule, dueMs: number, options: HandleOptions = {}): Promise<Handled> {
    const occurrence = occurrenceOf(schedule, dueMs);
    const batchId = occurrenceBatchId(schedule, occurrence.key);
    const decision = await decideOnce(schedule, occurrence, batchId, options);
    const base = { key: occurrence.key, batchId, decision };
    const log = { schedule: schedule.name, occurrence: occurrence.key, batch: batchId };
    if (decision.kind === "skip")
      logger.info(
        log,
        `Schedule ${schedule.name}: skipped the occurrence ${occurrence.key}: ${decision.reason}.`,
      );
    if (decision.kind === "miss")
      logger.warn(
        log,
        `Schedule ${schedule.name}: missed the occurrence ${occurrence.key}: ${decision.reason}.`,
      );
    if (decision.kind === "wait")
      logger.info(log, `Schedule ${schedule.name}: the occurrence ${occurrence.key} ${decision.reason}.`);
    if (decision.kind !== "start" && (decision.kind !== "resume" || options.fromQueue))
      return { ...base, started: null, error: null };
    const opened = await open(schedule, occurrence, batchId, options);
    if (opened.started) {
      logger.info(
        { ...log, rows: opened.started.rows, queued: opened.started.enqueued },
        `Schedule ${schedule.name}: started batch ${batchId} (${opened.started.enqueued} rows queued).`,
      );
    }
    return { ...base, ...opened };
  }

  return {
    handle,
    async pumpWaiting() {
      for (const name of await store.waitingSchedules()) {
        const key = await store.firstWaiting(name);
        if (key === null) {
          await store.unwait(name, "");
          continue;
        }
        const entry = await store.entry(name, key);
        if (!entry?.schedule || entry.outcome !== "waiting") {
          await store.unwait(name, key);
          continue;
        }
        if (deps.stillScheduled && !(await deps.stillScheduled(name))) {
          await store.withLock(name, async () => {
            const reason = "its schedule was removed (schedule sync) while it waited";
            await store.put(name, {
              ...entry,
              outcome: "missed",
              reason,
              decided_ms: now(),
              schedule: undefined,
            });
            await store.unwait(name, key);
          });
          logger.info(
            { schedule: name, occurrence: key },
            `Schedule ${name}: the waiting occurrence ${key} is missed: the schedule was removed.`,
          );
          continue;
        }
        await handle(entry.schedule, entry.due_ms, { fromQueue: true, finalAttempt: true });
      }
    },
  };
}
