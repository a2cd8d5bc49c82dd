/**
 * `submit`: validate the manifest, create or resume its batch, store its rows and queue the first
 * window of them for workers (which feed the rest), and print the batch id. Submitting the same
 * rows again adds nothing.
 */
import { formatUsd } from "../core/money.js";
import { createFeeder } from "../queue/feeder.js";
import type { Queues } from "../queue/queues.js";
import type { RunflowClient } from "../runflow/types.js";
import { prepareSource } from "../feed/prepare.js";
import type { CommandContext } from "./context.js";
import { openBatch } from "../batch/open/open-batch.js";
import { createBatchPool } from "../ledger/pool.js";
import { bindingOf, openQueueDeps, runflowClientFor } from "../runtime/deps.js";
import type { BatchSettings } from "../batch/settings.js";

export interface SubmitSettings extends BatchSettings {
  /** Where workers write images (default: out/<batch id>). */
  readonly out: string | undefined;
}

export async function submit(ctx: CommandContext, given: SubmitSettings): Promise<void> {
  // `-`: stdin, spooled; a URL fetched; a feed's recipe checked, why its rows changed said
  const settings = {
    ...given,
    source: await prepareSource(given.source, ctx.io, { out: given.out, keep: true }),
  };
  const deps = await openQueueDeps(ctx.io, { redisTimeoutMs: settings.redisTimeoutMs });
  let client: RunflowClient | null = null;
  let queues: Queues | null = null;
  try {
    const binding = bindingOf(deps.config, false);
    client = runflowClientFor(deps.config, deps.logger);
    const signal = ctx.io.signal;
    const opened = await deps.guard(
      openBatch({ ...deps, client, binding, settings, out: settings.out, stderr: ctx.io.stderr, signal }),
    );
    const { record } = opened;
    queues = opened.queues;
    const done = record.succeeded + record.failed;
    const toDo = record.submission.rows - done;
    // The first window now, so workers start at once; they feed the rest from the row store.
    const { window, retry } = record.submission.feed;
    const fed = await deps.guard(
      createFeeder({ queues, ledger: deps.ledger, batchId: record.id, retry, window }).top(),
    );
    // An ended batch with rows to do again (resubmitted after an edit, a cancel): open it for the workers.
    if (record.endedAt !== null && toDo > 0) await deps.ledger.batches.setState(record.id, "submitted");
    // Workers of this endpoint and account discover the batch from here.
    await createBatchPool(deps.redis, deps.keys).add(binding, record.id);
    const later = toDo > fed.queued ? ` (${fed.queued} queued now, the rest as workers drain the queue)` : "";
    ctx.io.stderr.write(
      `${opened.created ? "Submitted" : "Resubmitted"} batch ${record.id}: ${toDo} rows to do${later}, ` +
        `${done} already done; estimated $${formatUsd(record.submission.estimate.micros)}. ` +
        `Start workers with \`runflow-batch worker\`; follow with \`runflow-batch status ${record.id}\`.\n`,
    );
    ctx.io.stdout.write(record.id + "\n");
  } finally {
    await client?.close();
    await queues?.close();
    await deps.close();
  }
}
