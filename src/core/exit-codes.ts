/**
 * Every exit code of the command line, named once (README "Exit codes"). Errors carry one
 * (core/errors.ts), a batch's outcome maps to one (batch/run/outcome.ts), and only cli/main.ts
 * hands one to the operating system.
 */
export const EXIT = {
  /** Done: every row succeeded (or the command did what it was asked). */
  ok: 0,
  /** The batch finished with failed rows (reports still written); also given up on. */
  failedRows: 1,
  /** Bad usage, an invalid manifest or an output directory this machine cannot write: nothing submitted. */
  usage: 2,
  /** Stopped for money: the budget cap, or a balance that cannot cover the batch. */
  money: 3,
  /** Redis or Runflow unreachable or misconfigured (also a batch record gone or unreadable). */
  unavailable: 4,
  /** The batch was canceled (`cancel`). */
  canceled: 5,
  /** Interrupted (SIGINT/SIGTERM): run the same command again to resume. */
  interrupted: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
