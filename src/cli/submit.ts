/** `runflow-batch submit <manifest>`: validate, then enqueue every row; print the batch id. */
import type { Command } from "commander";
import { formatUsd } from "../core/money.js";
import type { Queues } from "../queue/queues.js";
import type { RunflowClient } from "../runflow/types.js";
import { addBatchOptions, parseBatchFlags, type BatchFlags } from "./batch-flags.js";
import type { CliContext } from "./context.js";
import { loadQueueKit } from "./load-queue-kit.js";

export function registerSubmit(program: Command, ctx: CliContext): void {
  addBatchOptions(
    program
      .command("submit")
      .summary("validate and enqueue a manifest; prints the batch id")
      .description("Validate a manifest and enqueue its rows for workers; prints the batch id. Submitting the same rows again adds nothing.")
      .argument("<manifest>", "CSV, JSON or JSONL manifest")
      .option("--out <dir>", "where workers write images (default: out/<batch id>)"),
  )
    .addHelpText("after", "\nExample:\n  BATCH=$(runflow-batch submit jobs/catalogue.csv --max-cost 25) && runflow-batch worker")
    .action(async (manifestPath: string, flags: BatchFlags) => {
      const settings = await parseBatchFlags(flags);
      const { openQueueDeps, runflowClientFor, openBatch, enqueueManifest } = await loadQueueKit();
      const deps = await openQueueDeps(ctx.io);
      let client: RunflowClient | null = null;
      let queues: Queues | null = null;
      try {
        client = runflowClientFor(deps.config, deps.logger);
        const opened = await openBatch({ ...deps, client, manifestPath, settings, out: flags.out, stderr: ctx.io.stderr });
        const { prepared, record } = opened;
        queues = opened.queues;
        const summary = await enqueueManifest({
          queues,
          store: deps.store,
          batchId: record.id,
          manifestPath,
          manifest: settings.manifest,
          prices: settings.prices,
          retry: settings.retry,
          logger: deps.logger,
        });
        ctx.io.stderr.write(
          `${prepared.created ? "Submitted" : "Resubmitted"} batch ${record.id}: ${summary.enqueued} rows queued, ${summary.alreadyDone} already done; ` +
            `estimated $${formatUsd(record.estimateMicros)}. Start workers with \`runflow-batch worker\`; follow with \`runflow-batch status ${record.id}\`.\n`,
        );
        ctx.io.stdout.write(record.id + "\n");
      } finally {
        await client?.close();
        await queues?.close();
        await deps.close();
      }
    });
}
