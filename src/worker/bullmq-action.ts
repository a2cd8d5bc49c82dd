/**
 * The one place a row's action becomes BullMQ. Every path ends the processor by throwing what
 * BullMQ expects, so it never returns:
 *
 *   hold, hand-back, wait-again,    moveToDelayed + DelayedError     the row waits; no attempt spent
 *   leave                                                            (Redis gone: the job stays as it is)
 *   rate-limit, pause-credit,       queue.rateLimit + RateLimitError the queue waits; no attempt spent
 *   pause-local, stop
 *   retry                           the failure itself               BullMQ backs off; one attempt spent
 *   fail                            UnrecoverableError               BullMQ gives up (row recorded first)
 */
import { DelayedError, UnrecoverableError, Worker, type Job, type Queue } from "bullmq";
import type { RowJobData } from "../queue/job-data.js";
import type { RowAction } from "./error-policy.js";

export interface BullmqTarget {
  readonly job: Job<RowJobData>;
  readonly token: string | undefined;
  readonly queue: Queue<RowJobData>;
  readonly nowMs: () => number;
}

export async function applyToBullmq(action: RowAction, cause: unknown, target: BullmqTarget): Promise<never> {
  switch (action.kind) {
    case "hold":
    case "wait-again":
    case "leave":
      return delay(target, action.delayMs);
    case "hand-back":
      return delay(target, 0);
    case "rate-limit":
    case "pause-credit":
    case "pause-local":
    case "stop":
      await target.queue.rateLimit(action.delayMs);
      throw Worker.RateLimitError();
    case "retry":
      throw cause;
    case "fail":
      throw new UnrecoverableError(action.reason);
  }
}

/** Hands the job back to be looked at again in `ms`, without spending an attempt. */
export async function delay(target: BullmqTarget, ms: number): Promise<never> {
  await target.job.moveToDelayed(target.nowMs() + ms, target.token);
  throw new DelayedError();
}

/** True for the errors applyToBullmq throws on purpose (as opposed to Redis failing under it). */
export function isBullmqSignal(error: unknown): boolean {
  return (
    error instanceof DelayedError ||
    error instanceof UnrecoverableError ||
    (error instanceof Error && error.message === Worker.RateLimitError().message)
  );
}
