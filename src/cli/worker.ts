/** `runflow-batch worker`: works on every batch's queued rows until stopped. */
import type { Command } from "commander";
import { ConfigurationError } from "../errors.js";
import { createWorker } from "../worker/worker.js";
import type { CliContext } from "./context.js";
import { openQueueDeps, parsePositiveInt, runflowClientFor } from "./deps.js";

interface WorkerFlags {
  concurrency?: string;
  editConcurrency?: string;
  out?: string;
}

export function registerWorker(program: Command, ctx: CliContext): void {
  program
    .command("worker")
    .description("Process queued rows of any batch until stopped (Ctrl-C or SIGTERM). Run as many as you like, on as many machines.")
    .option("--concurrency <n>", "runs in flight at once for generations", "200")
    .option("--edit-concurrency <n>", "runs in flight at once for edits, tag removal and product isolation (default: --concurrency)")
    .option("--out <dir>", "write images here instead of the directory stored with each batch")
    .addHelpText("after", "\nExample:\n  REDIS_URL=redis://queue.internal:6379 RUNFLOW_API_KEY=rf_live_… runflow-batch worker --concurrency 500")
    .action(async (flags: WorkerFlags) => {
      const concurrency = parsePositiveInt("--concurrency", flags.concurrency, 200);
      const editConcurrency = parsePositiveInt("--edit-concurrency", flags.editConcurrency, concurrency);
      const deps = await openQueueDeps(ctx.io);
      const client = runflowClientFor(deps.config, deps.logger);
      let fatal: ConfigurationError | null = null;
      const stopped = new Promise<void>((resolve) => {
        if (ctx.io.signal?.aborted) resolve();
        ctx.io.signal?.addEventListener("abort", () => resolve(), { once: true });
      });
      let onFatal: () => void = () => undefined;
      const fatalStop = new Promise<void>((resolve) => (onFatal = resolve));
      const worker = createWorker({
        redis: deps.redis,
        keys: deps.keys,
        runflow: client,
        logger: deps.logger,
        concurrency: { generate: concurrency, edit: editConcurrency },
        ...(flags.out ? { outDir: flags.out } : {}),
        onFatal: (error) => {
          fatal ??= error;
          onFatal();
        },
      });
      deps.logger.info({ concurrency, editConcurrency, prefix: deps.config.redisPrefix }, "Worker started; waiting for rows.");
      await Promise.race([stopped, fatalStop]);
      deps.logger.info("Worker stopping: handing in-flight rows back (their run ids are saved).");
      await worker.close();
      await client.close();
      await deps.close();
      if (fatal) throw fatal;
    });
}
