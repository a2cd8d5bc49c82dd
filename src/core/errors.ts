/**
 * Error classes shared by every domain. Each carries the process exit code the design assigns
 * to it (core/exit-codes.ts), so the CLI maps any failure to the contract without knowing where
 * it came from. Anything a user or an operator can cause is one of these; any other error is a bug.
 */
import { EXIT, type ExitCode } from "./exit-codes.js";

export class BatchError extends Error {
  readonly exitCode: ExitCode;
  constructor(message: string, exitCode: ExitCode, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.exitCode = exitCode;
  }
}

/** The user asked for something that cannot be done as asked (exit 2). */
export class UsageError extends BatchError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, EXIT.usage, options);
  }
}

/** Redis or Runflow is unreachable or misconfigured (exit 4). */
export class ConfigurationError extends BatchError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, EXIT.unavailable, options);
  }
}

/** The batch stopped because its budget cap would have been crossed (exit 3). */
export class BudgetStopError extends BatchError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, EXIT.money, options);
  }
}

/**
 * A batch's record is gone from Redis while a command or worker works on it: Redis came back
 * empty (restarted without persistence, flushed) or REDIS_URL / RUNFLOW_BATCH_PREFIX point
 * elsewhere now (exit 4). Says which batch and what to do.
 */
export class BatchGoneError extends ConfigurationError {
  readonly batchId: string;
  constructor(batchId: string, outDir: string | null) {
    super(
      `batch ${batchId} is no longer in Redis: its record, counters and results are gone (Redis restarted ` +
        "without persistence or was flushed, or REDIS_URL / RUNFLOW_BATCH_PREFIX point elsewhere now). " +
        (outDir ? `The images already downloaded are in ${outDir}. ` : "") +
        "Run the same command again to start the batch afresh: runs Runflow created in the last 24 hours " +
        "for unchanged rows are replayed, not billed again. " +
        "To keep batches across restarts, run Redis with appendonly yes.",
    );
    this.batchId = batchId;
  }
}
