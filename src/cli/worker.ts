/** `runflow-batch worker`: works on every batch's queued rows until stopped. */
import path from "node:path";
import type { Command } from "commander";
import type { ConfigurationError } from "../core/errors.js";
import type { CliContext } from "./context.js";
import { loadQueueKit } from "./load-queue-kit.js";
import { addWorkerOptions, parseWorkerFlags, type WorkerFlags } from "./worker-flags.js";

export function registerWorker(program: Command, ctx: CliContext): void {
  addWorkerOptions(
    program
      .command("worker")
      .summary("process queued rows until stopped; run as many as you like")
      .description("Process queued rows of any batch until stopped (Ctrl-C or SIGTERM). Run as many as you like, on as many machines.")
      .option("--out <dir>", "write each batch's images under <dir>/<batch id>/ instead of the directory stored with the batch"),
    200,
  )
    .addHelpText("after", "\nExample:\n  REDIS_URL=redis://queue.internal:6379 RUNFLOW_API_KEY=rf_live_… runflow-batch worker --concurrency 500")
    .action((flags: WorkerFlags & { out?: string }) => runWorker(ctx, flags));
}

async function runWorker(ctx: CliContext, flags: WorkerFlags & { out?: string }): Promise<void> {
  ctx.handlesStop();
  const settings = parseWorkerFlags(flags, 200);
  const out = flags.out;
  const { openQueueDeps, runflowClientFor, createWorker } = await loadQueueKit();
  const deps = await openQueueDeps(ctx.io);
  let fatal: ConfigurationError | null = null;
  let wake: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => (wake = resolve));
  if (ctx.io.signal?.aborted) wake();
  ctx.io.signal?.addEventListener("abort", () => wake(), { once: true });
  try {
    const client = runflowClientFor(deps.config, deps.logger);
    try {
      const worker = createWorker({
        redis: deps.redis,
        keys: deps.keys,
        runflow: client,
        logger: deps.logger,
        concurrency: settings.concurrency,
        retry: settings.retry,
        lockDurationMs: settings.lockDurationMs,
        ...(settings.poll ? { poll: settings.poll } : {}),
        ...(out ? { outDirFor: (batchId: string) => path.join(out, batchId) } : {}),
        onFatal: (error) => {
          fatal ??= error;
          wake();
        },
      });
      deps.logger.info({ ...settings.concurrency, prefix: deps.config.redisPrefix }, "Worker started; waiting for rows.");
      await stopped;
      deps.logger.info("Worker stopping: handing in-flight rows back (their run ids are saved).");
      await worker.close();
    } finally {
      await client.close();
    }
  } finally {
    await deps.close();
  }
  if (fatal) throw fatal;
}
