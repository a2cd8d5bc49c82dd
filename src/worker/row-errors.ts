/** Why a row stops short of submitting: held by the budget cap, or past the idempotency window. */

/** The budget cap does not allow this row now; it waits for the cap to be raised. */
export class BudgetHold extends Error {
  constructor(readonly batchId: string, readonly rowKey: string) {
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
  constructor(readonly clientRef: string, readonly firstPostMs: number) {
    super(
      `a create request for this row was sent at ${new Date(firstPostMs).toISOString()} and its answer was lost; ` +
        `Runflow's idempotency protection lasts 24 h, so it was not sent again. Look for client_ref "${clientRef}" in Runflow ` +
        `before re-running this row (its cost is counted at the estimate meanwhile)`,
    );
    this.name = "IdempotencyWindowPassed";
  }
}
