/** `runflow-batch submit <manifest>`: validate, then enqueue every row; print the batch id. */
import type { Command } from "commander";
import { formatUsd } from "../pricing/money.js";
import { applyCap } from "../pipeline/budget-cap.js";
import { prepareBatch } from "../pipeline/prepare-batch.js";
import { preflight } from "../pipeline/preflight.js";
import { enqueueManifest } from "../queue/producer.js";
import { createQueues, type Queues } from "../queue/queues.js";
import { addBatchOptions, parseBatchFlags, type BatchFlags } from "./batch-flags.js";
import type { CliContext } from "./context.js";
import { openQueueDeps, runflowClientFor } from "./deps.js";

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
      const deps = await openQueueDeps(ctx.io);
      const client = runflowClientFor(deps.config, deps.logger);
      let queues: Queues | null = null;
      try {
        const prepared = await prepareBatch({
          store: deps.store,
          manifestPath,
          manifest: settings.manifest,
          prices: settings.prices,
          batchId: settings.batchId,
          out: flags.out,
          capMicros: settings.capMicros,
          skipInvalid: settings.skipInvalid,
          now: () => new Date(),
        });
        const { record } = prepared;
        queues = createQueues(deps.redis, deps.keys); // only now: an invalid manifest leaves nothing in Redis
        if (prepared.skipped) ctx.io.stderr.write(`Skipping ${prepared.scan.invalidRows} invalid rows:\n${prepared.skipped}\n`);
        if (!prepared.created && settings.capMicros !== null && settings.capMicros !== record.capMicros) {
          await applyCap(deps.store, queues, record.id, settings.capMicros, deps.logger);
        }
        const current = (await deps.store.get(record.id)) ?? record;
        for (const note of await preflight({ record: current, client, manifestPath, manifest: settings.manifest, prices: settings.prices, force: settings.force })) {
          ctx.io.stderr.write(note + "\n");
        }
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
        await client.close();
        await queues?.close();
        await deps.close();
      }
    });
}
