/**
 * Why a row's attempt ends without a result: held by the budget cap, past the idempotency
 * window, or any failure at all, carried as one RowAttemptError that says what was known.
 */
import type { Run } from "../runflow/types.js";
import type { RowPhase } from "./row-types.js";

/** The budget cap does not allow this row now; it waits for the cap to be raised. */
export class BudgetHold extends Error {
  constructor(
    readonly batchId: string,
    readonly rowKey: string,
  ) {
    super(`row ${rowKey} of batch ${batchId} is held: the budget cap is reached`);
    this.name = "BudgetHold";
  }
}

/** Runflow replays a create for 24 h; past 23 h an unanswered POST may not be safely repeated. */
export const IDEMPOTENCY_WINDOW_MS = 23 * 3_600_000;

/**
 * A create POST for this row went out long ago and its answer was lost; posting again now could
 * create a second, billed run. The row fails and says how to check.
 */
export class IdempotencyWindowPassed extends Error {
  constructor(
    readonly clientRef: string,
    readonly firstPostMs: number,
  ) {
    super(
      `a create request for this row was sent at ${new Date(firstPostMs).toISOString()} and its answer ` +
        `was lost; Runflow's idempotency protection lasts 24 h, so it was not sent again. Look for ` +
        `client_ref "${clientRef}" in Runflow before re-running this row (its cost is counted at the ` +
        "estimate meanwhile)",
    );
    this.name = "IdempotencyWindowPassed";
  }
}

/** What an attempt knew about Runflow's side when it failed. */
export interface AttemptState {
  readonly phase: RowPhase;
  /** The row's run, once Runflow accepted it and its id was saved (or a restart found it). */
  readonly runId: string | null;
  /** The run's final state, once waiting on it ended. */
  readonly run: Run | null;
}

const VERB: Readonly<Record<RowPhase, string>> = {
  create: "creating its run",
  wait: "waiting on its run",
  download: "downloading its images",
};

/**
 * The one error a row's attempt throws: its phase, run id and run (what Runflow's side is known
 * to be) and the failure itself as `cause`. The error policy decides from it what to do, and a
 * failed row's record and cost are computed from it: nothing else is shared between the two.
 */
export class RowAttemptError extends Error implements AttemptState {
  readonly phase: RowPhase;
  readonly runId: string | null;
  readonly run: Run | null;
  override readonly cause: unknown;
  constructor(state: AttemptState, cause: unknown) {
    const run = state.runId === null ? "" : ` ${state.runId}`;
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(`${VERB[state.phase]}${run}: ${reason}`, { cause });
    this.name = "RowAttemptError";
    this.phase = state.phase;
    this.runId = state.runId;
    this.run = state.run;
    this.cause = cause;
  }
}

/** A rejection handler: wraps what failed with what the attempt knew (an inner wrapping wins). */
export function failedWhile(state: AttemptState): (cause: unknown) => never {
  return (cause) => {
    if (cause instanceof RowAttemptError) throw cause;
    throw new RowAttemptError(state, cause);
  };
}

/** Anything thrown by a row's processor as a RowAttemptError (outside processRow nothing is known yet). */
export function asAttemptError(error: unknown): RowAttemptError {
  return error instanceof RowAttemptError
    ? error
    : new RowAttemptError({ phase: "create", runId: null, run: null }, error);
}
