/** Flags of the in-process worker, shared by `worker` and `run`. */
import type { Command } from "commander";
import type { WorkerSettings } from "../../batch/settings.js";
import { WORKER_DEFAULTS } from "../../config/defaults.js";
import { UsageError } from "../../core/errors.js";
import type { CallbackSettings } from "../../callbacks/index.js";
import { checkCallbackUrl, parseListenAddress } from "../../callbacks/listen-address.js";
import { parseDurationFlag, parsePositiveInt } from "./parse-flags.js";

export interface WorkerFlags {
  concurrency: string;
  editConcurrency?: string;
  pollInterval?: string;
  creditPause: string;
  writePause: string;
  lockDuration: string;
  giveUpAfter?: string;
  callbackUrl?: string;
  callbackListen?: string;
  maxRps?: string;
}

export function addWorkerOptions(command: Command, defaultConcurrency: number): Command {
  return command
    .option("--concurrency <n>", "runs in flight at once for generations", String(defaultConcurrency))
    .option(
      "--edit-concurrency <n>",
      "runs in flight at once for edits, tag removal and product isolation (default: --concurrency)",
    )
    .option(
      "--poll-interval <ms>",
      "poll runs this often (default: first poll at each model's typical duration, then every 2–10 s)",
    )
    .option(
      "--credit-pause <ms>",
      "after Runflow answers 402 (out of credit), pause submitting this long before trying again",
      String(WORKER_DEFAULTS.pauses.outOfCreditMs),
    )
    .option(
      "--write-pause <ms>",
      "after the batch's directory or S3 prefix could not be written (disk full, store unavailable), " +
        "rows keep their runs and wait this long before writing again",
      String(WORKER_DEFAULTS.pauses.localWriteMs),
    )
    .option(
      "--lock-duration <ms>",
      "how long a worker's claim on a row lasts without renewal: a stopped or crashed worker's " +
        "rows are picked up by " +
        "other workers after about this long (status shows them as waiting for a stopped worker's lock)",
      String(WORKER_DEFAULTS.lockDurationMs),
    )
    .option(
      "--give-up-after <duration>",
      "end a batch that made no progress this long (e.g. 30m) because Runflow refused (402), " +
        "rate limited (429) or failed (5xx): " +
        "its rows end failed with the reason, reports written (default: wait)",
    )
    .option(
      "--callback-url <url>",
      "the public URL Runflow POSTs each run's end to (creates send it; polling becomes a slow fallback)",
    )
    .option(
      "--callback-listen <[host:]port>",
      "where this process listens for callbacks (default: the --callback-url's port on every interface)",
    )
    .option(
      "--max-rps <n>",
      "Runflow API requests per second for every process on this account together " +
        "(default: RUNFLOW_MAX_RPS, else adapt to 429s)",
    );
}

/** `--callback-url` and `--callback-listen`; null without a URL. */
function parseCallbackFlags(flags: WorkerFlags): CallbackSettings | null {
  if (flags.callbackUrl === undefined) {
    if (flags.callbackListen !== undefined)
      throw new UsageError("--callback-listen needs --callback-url: the public URL Runflow is to call.");
    return null;
  }
  const url = checkCallbackUrl(flags.callbackUrl);
  return { url: url.href, listen: parseListenAddress(flags.callbackListen, url) };
}

export function parseWorkerFlags(flags: WorkerFlags, defaultConcurrency: number): WorkerSettings {
  const generate = parsePositiveInt("--concurrency", flags.concurrency, defaultConcurrency);
  const pollMs =
    flags.pollInterval === undefined
      ? undefined
      : parsePositiveInt("--poll-interval", flags.pollInterval, 2_000);
  return {
    concurrency: { generate, edit: parsePositiveInt("--edit-concurrency", flags.editConcurrency, generate) },
    poll: pollMs === undefined ? undefined : { initialMs: pollMs, intervalMs: pollMs, maxMs: pollMs },
    pauses: {
      ...WORKER_DEFAULTS.pauses,
      outOfCreditMs: parsePositiveInt(
        "--credit-pause",
        flags.creditPause,
        WORKER_DEFAULTS.pauses.outOfCreditMs,
      ),
      localWriteMs: parsePositiveInt("--write-pause", flags.writePause, WORKER_DEFAULTS.pauses.localWriteMs),
      // After Runflow could not be read, look again at the poll interval when one is set.
      unreadableRunMs: pollMs ?? WORKER_DEFAULTS.pauses.unreadableRunMs,
    },
    lockDurationMs: parsePositiveInt("--lock-duration", flags.lockDuration, WORKER_DEFAULTS.lockDurationMs),
    giveUpAfterMs:
      flags.giveUpAfter === undefined ? null : parseDurationFlag("--give-up-after", flags.giveUpAfter, 0),
    callback: parseCallbackFlags(flags),
    maxRps: flags.maxRps === undefined ? null : parsePositiveInt("--max-rps", flags.maxRps, 1),
  };
}
