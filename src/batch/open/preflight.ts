/**
 * Before anything is queued: compare what the batch still has to spend with its cap and with the
 * Runflow account's balance. An estimate above the cap is said plainly and the batch goes on (the
 * cap is what protects); a balance that cannot cover what the batch will spend refuses to start
 * unless forced. The balance call doubles as an early check of the API key and address, and is
 * patient (balance-check.ts): transient answers and 429s are retried until --start-timeout.
 */
import { BudgetStopError } from "../../core/errors.js";
import { formatUsd, type Micros } from "../../core/money.js";
import type { BatchRecord } from "../../ledger/batch-record.js";
import type { Logger } from "../../log/logger.js";
import type { RunflowClient } from "../../runflow/types.js";
import { PATIENCE_DEFAULTS } from "../../config/defaults.js";
import { checkBalance } from "./balance-check.js";

/** How many rows, in manifest order, fit under the cap, and what the others would cost. */
export interface CapCoverage {
  readonly covered: number;
  readonly restRows: number;
  readonly restMicros: Micros;
}

/** Counts, during the manifest pass, which rows fit under `capMicros` in manifest order (null: no cap). */
export function createCapCoverage(capMicros: Micros | null) {
  let used = 0;
  const coverage = { covered: 0, restRows: 0, restMicros: 0 };
  return {
    add(estimates: readonly Micros[]): void {
      if (capMicros === null) return;
      for (const price of estimates) {
        if (coverage.restRows === 0 && used + price <= capMicros) {
          used += price;
          coverage.covered += 1;
        } else {
          coverage.restRows += 1;
          coverage.restMicros += price;
        }
      }
    },
    result: (): CapCoverage => ({ ...coverage }),
  };
}

export interface PreflightOptions {
  readonly record: BatchRecord;
  readonly client: RunflowClient;
  /** What the cap covers, counted by the manifest pass. */
  readonly coverage: CapCoverage;
  readonly force: boolean;
  /** What the batch still has to spend, when a plan knows it better than the record (a re-run). */
  readonly remainingMicros?: number;
  /** How long transient answers of the balance check are retried (default 2 min, `--start-timeout`). */
  readonly startTimeoutMs?: number | undefined;
  readonly logger?: Logger | undefined;
  readonly signal?: AbortSignal | undefined;
}

/** Returns the notes to show the user; throws when the batch must not start. */
export async function preflight(options: PreflightOptions): Promise<string[]> {
  const { record } = options;
  const notes: string[] = [];
  const remaining =
    options.remainingMicros ?? Math.max(0, record.submission.estimate.micros - record.doneEstimateMicros);
  let willSpend = remaining;
  if (record.capMicros !== null && record.spentMicros + remaining > record.capMicros) {
    const room = Math.max(0, record.capMicros - record.spentMicros);
    willSpend = room;
    const { coverage } = options;
    notes.push(
      `The estimate ($${formatUsd(record.submission.estimate.micros)}) ` +
        `is above the cap ($${formatUsd(record.capMicros)}): the cap covers ` +
        `${coverage.covered} of ${record.submission.rows} rows; ` +
        `the other ${coverage.restRows} would cost $${formatUsd(coverage.restMicros)} more. ` +
        "The batch goes ahead and stops at the cap; " +
        `raise it later with \`runflow-batch budget ${record.id} --max-cost USD\`.`,
    );
  }
  if (willSpend === 0) return notes;
  const answer = await checkBalance({
    client: options.client,
    timeoutMs: options.startTimeoutMs ?? PATIENCE_DEFAULTS.startTimeoutMs,
    logger: options.logger,
    signal: options.signal,
  });
  if (answer.kind === "unavailable") {
    notes.push(`Could not read the account balance (${answer.reason}); going ahead without the check.`);
    return notes;
  }
  const { balance } = answer;
  if (balance.balanceMicros < willSpend) {
    const message =
      `the Runflow balance ($${formatUsd(balance.balanceMicros)}) ` +
      `cannot cover what this batch will spend ($${formatUsd(willSpend)})`;
    if (!options.force)
      throw new BudgetStopError(
        `${message}; top up the account, lower the batch with --max-cost, or pass --force to start anyway`,
      );
    notes.push(`Warning: ${message}; starting anyway (--force). Submitting pauses when Runflow answers 402.`);
  }
  return notes;
}
