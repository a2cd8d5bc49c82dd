/**
 * What a batch is waiting for, in words, for `status`: the budget cap, Runflow's credit or rate
 * limit, a Runflow that keeps failing, a directory this machine cannot write, a stopped worker's
 * locks, or simply a worker. Built from the record, the conditions workers noted
 * (ledger/waits.ts) and what the batch's queues say about their workers. Pure.
 */
import { formatDuration } from "../core/duration.js";
import { formatUsd } from "../core/money.js";
import type { BatchRecord } from "../ledger/batch-record.js";
import type { WaitCondition, WaitKind } from "../ledger/waits.js";

export interface WaitFacts {
  readonly conditions: readonly WaitCondition[];
  /** Rows in flight whose worker is gone: BullMQ hands them on when its lock expires. */
  readonly orphaned: number;
  /** Workers connected to the batch's queues now; null when Redis will not say (CLIENT LIST disabled). */
  readonly liveWorkers: number | null;
  readonly lockDurationMs: number;
}

const since = (iso: string) => iso.slice(11, 19) + " UTC";

const SAYS: Readonly<Record<WaitKind, (c: WaitCondition) => string>> = {
  "out-of-credit": (c) =>
    `Runflow credit: out of credit since ${since(c.since)} (${c.reason}); ` +
    "top up the account (or stop waiting with --give-up-after / cancel)",
  "rate-limited": (c) => `Runflow's rate limit: requests are slowed down since ${since(c.since)}`,
  transient: (c) =>
    `Runflow to answer: server errors or no answer since ${since(c.since)} (${c.reason}); ` +
    "rows are retried with backoff",
  unreadable: (c) => `Runflow to let runs be read again (since ${since(c.since)}: ${c.reason})`,
  local: (c) =>
    c.reason.includes(" s3://")
      ? `the batch's object storage to take the images again: ${c.reason} (since ${since(c.since)}); ` +
        "rows keep their runs and work resumes by itself when it does"
      : `this machine to be able to write the images: ${c.reason} (since ${since(c.since)}); ` +
        "fix the directory and work resumes by itself",
};

/** Everything the batch waits for, most pressing first; empty when it is simply working (or ended). */
export function waitingFor(record: BatchRecord, facts: WaitFacts): string[] {
  if (record.endedAt !== null) return [];
  const said: string[] = [];
  if (record.stopReason !== null)
    said.push(`its runs in flight to end before it ends failed-rows (${record.stopReason})`);
  else if (record.cancelRequestedAt !== null)
    said.push(`its ${record.inFlight} runs in flight to end before it ends canceled`);
  for (const condition of facts.conditions) said.push(SAYS[condition.kind](condition));
  if (facts.orphaned > 0) {
    said.push(
      `${facts.orphaned} rows: waiting for a stopped worker's lock (≤ ${formatDuration(facts.lockDurationMs)}), ` +
        "then another worker resumes them",
    );
  }
  const open = record.submission.rows - record.succeeded - record.failed;
  if (record.budgetBlocked && record.cancelRequestedAt === null) {
    const cap = record.capMicros === null ? "" : ` ($${formatUsd(record.capMicros)})`;
    said.push(`a higher budget cap${cap}: \`runflow-batch budget ${record.id} --max-cost USD\``);
  } else if (open > 0 && facts.liveWorkers === 0 && record.cancelRequestedAt === null) {
    said.push(
      "a worker: nothing is working on this batch; start one with `runflow-batch worker` " +
        "(or run the same command again)",
    );
  }
  return said;
}
