/** Flags of the in-process worker, shared by `worker` and `run`. */
import type { Command } from "commander";
import type { WorkerSettings } from "../../commands/settings.js";
import { DEFAULT_RETRY_POLICY } from "../../worker/retry-policy.js";
import { parsePositiveInt } from "./parse-flags.js";

export interface WorkerFlags {
  concurrency: string;
  editConcurrency?: string;
  pollInterval?: string;
  creditPause: string;
  lockDuration: string;
}

export function addWorkerOptions(command: Command, defaultConcurrency: number): Command {
  return command
    .option("--concurrency <n>", "runs in flight at once for generations", String(defaultConcurrency))
    .option("--edit-concurrency <n>", "runs in flight at once for edits, tag removal and product isolation (default: --concurrency)")
    .option("--poll-interval <ms>", "poll runs this often (default: first poll at each model's typical duration, then every 2–10 s)")
    .option("--credit-pause <ms>", "after Runflow answers 402 (out of credit), pause submitting this long before trying again", String(DEFAULT_RETRY_POLICY.creditPauseMs))
    .option("--lock-duration <ms>", "a crashed worker's rows are picked up by other workers after about this long", "30000");
}

export function parseWorkerFlags(flags: WorkerFlags, defaultConcurrency: number): WorkerSettings {
  const generate = parsePositiveInt("--concurrency", flags.concurrency, defaultConcurrency);
  const pollMs = flags.pollInterval === undefined ? undefined : parsePositiveInt("--poll-interval", flags.pollInterval, 2_000);
  return {
    concurrency: { generate, edit: parsePositiveInt("--edit-concurrency", flags.editConcurrency, generate) },
    poll: pollMs === undefined ? undefined : { initialMs: pollMs, intervalMs: pollMs, maxMs: pollMs },
    retry: {
      ...DEFAULT_RETRY_POLICY,
      creditPauseMs: parsePositiveInt("--credit-pause", flags.creditPause, DEFAULT_RETRY_POLICY.creditPauseMs),
      // After Runflow could not be read, look again at the poll interval when one is set.
      waitRetryMs: pollMs ?? DEFAULT_RETRY_POLICY.waitRetryMs,
    },
    lockDurationMs: parsePositiveInt("--lock-duration", flags.lockDuration, 30_000),
  };
}
