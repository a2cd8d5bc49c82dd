/**
 * Handling one occurrence, from whichever process takes it (a `serve` on any machine, or
 * `schedule run`): decide under the schedule's lock (occurrence-decision.ts, decide.ts) and record
 * the decision once (HSETNX), then start its batch through `start` while holding the occurrence's
 * lease (occurrence-open.ts). A duplicate fire of a started occurrence only finishes what a
 * crashed start left undone; it never makes a second batch.
 */
import type { Logger } from "../log/logger.js";
import type { BatchRecords } from "../ledger/batch-records.js";
import type { Decision } from "./decide.js";
import { decideOnce } from "./occurrence-decision.js";
import { openOccurrence, type IsDefinite, type Opened, type StartBatch } from "./occurrence-open.js";
import { occurrenceOf } from "./occurrence.js";
import type { OccurrenceEntry, OccurrenceStore } from "./occurrence-store.js";
import { occurrenceBatchId, type Schedule } from "./schedule.js";

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

interface Handled extends Opened {
  readonly key: string;
  readonly batchId: string;
  readonly decision: Decision;
}

export interface OccurrenceRunner {
  handle(schedule: Schedule, dueMs: number, options?: HandleOptions): Promise<Handled>;
  /** Starts the waiting (`overlap: queue`) occurrences whose turn has come; misses the ones too late. */
  pumpWaiting(): Promise<void>;
}

type Log = { readonly schedule: string; readonly occurrence: string; readonly batch: string };

/** Says what was decided, when it was not to start. */
function sayDecision(logger: Logger, log: Log, decision: Decision): void {
  const about = `Schedule ${log.schedule}: `;
  if (decision.kind === "skip")
    logger.info(log, `${about}skipped the occurrence ${log.occurrence}: ${decision.reason}.`);
  if (decision.kind === "miss")
    logger.warn(log, `${about}missed the occurrence ${log.occurrence}: ${decision.reason}.`);
  if (decision.kind === "wait")
    logger.info(log, `${about}the occurrence ${log.occurrence} ${decision.reason}.`);
}

/** A waiting occurrence whose schedule was removed while it waited: missed. */
async function missRemoved(
  deps: RunnerDeps,
  now: () => number,
  name: string,
  key: string,
  entry: OccurrenceEntry,
) {
  const { store } = deps;
  await store.withLock(name, async () => {
    const reason = "its schedule was removed (schedule sync) while it waited";
    await store.put(name, { ...entry, outcome: "missed", reason, decided_ms: now(), schedule: undefined });
    await store.unwait(name, key);
  });
  deps.logger.info(
    { schedule: name, occurrence: key },
    `Schedule ${name}: the waiting occurrence ${key} is missed: the schedule was removed.`,
  );
}

export function createOccurrenceRunner(deps: RunnerDeps): OccurrenceRunner {
  const { store, logger } = deps;
  const now = deps.now ?? (() => Date.now());
  const ctx = { ...deps, now };

  async function handle(schedule: Schedule, dueMs: number, options: HandleOptions = {}): Promise<Handled> {
    const occurrence = occurrenceOf(schedule, dueMs);
    const batchId = occurrenceBatchId(schedule, occurrence.key);
    const decision = await decideOnce(ctx, schedule, occurrence, batchId, options.manual === true);
    const base = { key: occurrence.key, batchId, decision };
    const log = { schedule: schedule.name, occurrence: occurrence.key, batch: batchId };
    sayDecision(logger, log, decision);
    if (decision.kind !== "start" && (decision.kind !== "resume" || options.fromQueue))
      return { ...base, started: null, error: null };
    const opened = await openOccurrence(ctx, schedule, occurrence, batchId, options.finalAttempt === true);
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
        if (!entry?.schedule || entry.outcome !== "waiting") await store.unwait(name, key);
        else if (deps.stillScheduled && !(await deps.stillScheduled(name)))
          await missRemoved(deps, now, name, key, entry);
        else await handle(entry.schedule, entry.due_ms, { fromQueue: true, finalAttempt: true });
      }
    },
  };
}
