/**
 * Starting a schedule's occurrence does what `submit` does: open the occurrence's batch (its id
 * from the schedule and due time, its directory from the `out` template), queue its rows, and
 * list it in the pool of its endpoint and account, so every `serve` and `worker` process of that
 * binding works it. The manifest path is the schedule's with `{date}` filled in. Shared by
 * `serve` and `schedule run`.
 */
import { resolveOut } from "../core/out-location.js";
import { Writable } from "node:stream";
import { BatchError } from "../core/errors.js";
import type { Binding } from "../ledger/binding.js";
import { createBatchPool } from "../ledger/pool.js";
import type { Logger } from "../log/logger.js";
import type { ManifestSource } from "../manifest/source.js";
import { loadPriceTable } from "../pricing/prices-file.js";
import { createFeeder } from "../queue/feeder.js";
import { DEFAULT_RETRY_OPTIONS } from "../queue/retry-options.js";
import type { RunflowClient } from "../runflow/types.js";
import type { OccurrenceTime } from "./occurrence.js";
import type { IsDefinite, StartBatch } from "./occurrence-open.js";
import type { Schedule } from "./schedule.js";
import type { Environment } from "../config/config.js";
import { prepareFeed } from "../feed/prepare.js";
import { renderTemplate } from "./templates.js";
import type { BatchSettings } from "../batch/settings.js";
import { openBatch } from "../batch/open/open-batch.js";
import type { QueueDeps } from "../runtime/deps.js";

export interface StartOccurrenceDeps extends Pick<QueueDeps, "redis" | "keys" | "ledger" | "logger"> {
  readonly client: RunflowClient;
  readonly binding: Binding;
  /** Where the start's notes go (the plan line, the cap, the balance); default: the log. */
  readonly stderr?: NodeJS.WritableStream;
  /** Relative `out` templates resolve against this directory (default: the current one). */
  readonly cwd?: string;
  /** The environment: where kept feed copies live, and the variables a schedule's feed_headers name. */
  readonly env?: Environment;
}

/** A stream whose lines become info log lines of the occurrence. */
function logLines(logger: Logger, fields: Record<string, string>): Writable {
  let rest = "";
  return new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      const lines = (rest + chunk.toString()).split("\n");
      rest = lines.pop() ?? "";
      for (const line of lines) if (line.trim() !== "") logger.info(fields, line);
      done();
    },
  });
}

/** A usage or money refusal (exit 2 or 3) will not mend by trying again. */
export const definiteStartError: IsDefinite = (error) =>
  error instanceof BatchError && (error.exitCode === 2 || error.exitCode === 3);

/** The occurrence's manifest, output directory and batch settings. */
export async function occurrenceSettings(
  schedule: Schedule,
  occurrence: OccurrenceTime,
  batchId: string,
  cwd: string,
) {
  const defaults = {
    ...(schedule.model ? { model: schedule.model } : {}),
    ...(schedule.quality ? { quality: schedule.quality } : {}),
  };
  const source: ManifestSource = {
    path: renderTemplate(schedule.manifest, occurrence.values),
    ...(schedule.model || schedule.quality ? { defaults } : {}),
    recipe: schedule.recipe ?? undefined,
    feedHeaders: schedule.feedHeaders ?? undefined,
  };
  const settings: BatchSettings = {
    source,
    prices: await loadPriceTable(schedule.prices ?? undefined),
    skipInvalid: false,
    batchId,
    capMicros: schedule.capMicros,
    force: false,
    retry: DEFAULT_RETRY_OPTIONS,
    notifyUrl: schedule.notifyUrl,
  };
  // A local directory is relative to where the occurrence starts; an s3:// prefix is as written.
  return { settings, out: resolveOut(renderTemplate(schedule.out, occurrence.values), cwd) };
}

export function occurrenceStarter(deps: StartOccurrenceDeps): StartBatch {
  return async (schedule, occurrence, batchId) => {
    const { settings, out } = await occurrenceSettings(
      schedule,
      occurrence,
      batchId,
      deps.cwd ?? process.cwd(),
    );
    const stderr =
      deps.stderr ??
      logLines(deps.logger, { schedule: schedule.name, occurrence: occurrence.key, batch: batchId });
    // A URL is fetched (conditionally: the schedule keeps its own copy), a recipe checked.
    const io = { stderr: stderr as Writable, env: deps.env ?? {} };
    const fed = await prepareFeed(settings.source, io, {
      cacheKey: `schedule:${schedule.name}`,
      out,
      keep: true,
    });
    const opened = await openBatch({ ...deps, settings: { ...settings, source: fed.source }, out, stderr });
    try {
      const { record, queues } = opened;
      if (schedule.concurrency !== null) {
        // Every batch has its own queues: a global concurrency there caps this batch over all workers.
        await Promise.all([
          queues.generate.setGlobalConcurrency(schedule.concurrency),
          queues.edit.setGlobalConcurrency(schedule.concurrency),
        ]);
      }
      // The first window now; serve's workers feed the rest from the batch's row store.
      const { window, retry } = record.submission.feed;
      const fed = await createFeeder({
        queues,
        ledger: deps.ledger,
        batchId: record.id,
        retry,
        window,
      }).top();
      await createBatchPool(deps.redis, deps.keys).add(deps.binding, record.id);
      return {
        batchId: record.id,
        rows: record.submission.rows,
        enqueued: fed.queued,
        alreadyDone: record.succeeded + record.failed,
        runs: opened.plan.runs,
        spentBeforeMicros: record.spentMicros,
      };
    } finally {
      await opened.queues.close();
    }
  };
}
