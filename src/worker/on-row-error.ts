/**
 * What the worker does when a row's attempt throws: the retry policy picks the action, this
 * carries it out with BullMQ. Every path either hands the job back (delayed, rate limited or
 * retried by BullMQ) or records the row as failed, so no row ever ends without a recorded state.
 * If carrying out the action itself fails (Redis gone for a moment), the job is handed back.
 */
import { DelayedError, UnrecoverableError, Worker, type Job, type Queue } from "bullmq";
import { ConfigurationError } from "../core/errors.js";
import type { Logger } from "../log/logger.js";
import type { RowJobData } from "../queue/job-data.js";
import { classifyError } from "../runflow/errors.js";
import type { RowDeps, RowProgress } from "./process-row.js";
import { recordFailure } from "./record-row.js";
import { BudgetHold } from "./row-errors.js";
import { decideAction, type RetryPolicy } from "./retry-policy.js";

export interface ErrorContext {
  readonly queue: Queue<RowJobData>;
  readonly deps: RowDeps;
  readonly logger: Logger;
  readonly retry: RetryPolicy;
  readonly holdRecheckMs: number;
  readonly shuttingDown: () => boolean;
  readonly onFatal: (error: ConfigurationError) => void;
  /** The out-of-credit warning is said once per outage (reset when a run is created). */
  readonly credit: { warned: boolean };
}

const handedBack = (error: unknown) =>
  error instanceof DelayedError || error instanceof UnrecoverableError || (error instanceof Error && error.message === Worker.RateLimitError().message);

export async function onRowError(job: Job<RowJobData>, token: string | undefined, error: unknown, progress: RowProgress, ctx: ErrorContext): Promise<never> {
  try {
    await act(job, token, error, progress, ctx);
  } catch (outcome) {
    if (handedBack(outcome) || outcome === error) throw outcome;
    ctx.logger.warn({ err: outcome, row: job.data.row.key }, "Could not act on a row's error; handing the row back.");
    await job.moveToDelayed(Date.now() + 5_000, token).catch(() => undefined); // if this fails too, stall recovery takes over
    throw new DelayedError();
  }
  throw error;
}

async function act(job: Job<RowJobData>, token: string | undefined, error: unknown, progress: RowProgress, ctx: ErrorContext): Promise<void> {
  const delay = async (ms: number) => {
    await job.moveToDelayed(Date.now() + ms, token);
    throw new DelayedError();
  };
  if (error instanceof BudgetHold) return delay(ctx.holdRecheckMs);
  // Shutting down: hand the job back at once; its run id is saved, so the next worker resumes the wait.
  if (ctx.shuttingDown()) return delay(0);
  const action = decideAction(classifyError(error), job.attemptsMade, job.opts.attempts ?? 1, ctx.retry, progress.phase);
  const log = ctx.logger.child({ batch: job.data.batch, row: job.data.row.key, runId: progress.runId });
  switch (action.kind) {
    case "wait-again":
      log.info({ delayMs: action.delayMs, reason: String(error) }, "Cannot read the run right now; looking again later.");
      return delay(action.delayMs);
    case "retry":
      log.info({ reason: action.reason, attempt: job.attemptsMade + 1 }, "Row hit a transient error; it will be retried.");
      throw error;
    case "rate-limit":
      log.info({ delayMs: action.delayMs }, "Runflow is rate limiting; the queue slows down.");
      await ctx.queue.rateLimit(action.delayMs);
      throw Worker.RateLimitError();
    case "pause-credit":
      if (!ctx.credit.warned) log.error({ delayMs: action.delayMs }, `Runflow account is out of credit (${action.reason}); submitting pauses until the balance allows.`);
      ctx.credit.warned = true;
      await ctx.queue.rateLimit(action.delayMs);
      throw Worker.RateLimitError();
    case "stop":
      ctx.onFatal(new ConfigurationError(`Runflow refused the request: ${action.reason}`, { cause: error }));
      await ctx.queue.rateLimit(60_000);
      throw Worker.RateLimitError();
    case "fail":
      log.warn({ reason: action.reason }, "Row failed.");
      await recordFailure(job.data, ctx.deps, progress, action.reason, error);
      throw new UnrecoverableError(action.reason);
  }
}
