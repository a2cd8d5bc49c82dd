/** `runflow-batch worker`: works on every batch's queued rows until stopped. */
import type { Command } from "commander";
import type { ConfigurationError } from "../errors.js";
import type { CliContext } from "./context.js";
import { loadQueueKit } from "./load-queue-kit.js";
import { addWorkerOptions, parseWorkerFlags, type WorkerFlags } from "./worker-flags.js";

export function registerWorker(program: Command, ctx: CliContext): void {
  addWorkerOptions(
    program
      .command("worker")
      .summary("process queued rows until stopped; run as many as you like")
      .description("Process queued rows of any batch until stopped (Ctrl-C or SIGTERM). Run as many as you like, on as many machines.")
      .option("--out <dir>", "write images here instead of the directory stored with each batch"),
    200,
  )
    .addHelpText("after", "\nExample:\n  REDIS_URL=redis://queue.internal:6379 RUNFLOW_API_KEY=rf_live_… runflow-batch worker --concurrency 500")
    .action(async (flags: WorkerFlags & { out?: string }) => {
      const settings = parseWorkerFlags(flags, 200);
      const { openQueueDeps, runflowClientFor, createWorker } = await loadQueueKit();
      const deps = await openQueueDeps(ctx.io);
      let client;
      try {
        client = runflowClientFor(deps.config, deps.logger);
      } catch (error) {
        await deps.close();
        throw error;
      }
      let fatal: ConfigurationError | null = null;
      let wake: () => void = () => undefined;
      const stopped = new Promise<void>((resolve) => (wake = resolve));
      if (ctx.io.signal?.aborted) wake();
      ctx.io.signal?.addEventListener("abort", () => wake(), { once: true });
      const worker = createWorker({
        redis: deps.redis,
        keys: deps.keys,
        runflow: client,
        logger: deps.logger,
        concurrency: settings.concurrency,
        retry: settings.retry,
        lockDurationMs: settings.lockDurationMs,
        ...(settings.poll ? { poll: settings.poll } : {}),
        ...(flags.out ? { outDir: flags.out } : {}),
        onFatal: (error) => {
          fatal ??= error;
          wake();
        },
      });
      deps.logger.info({ ...settings.concurrency, prefix: deps.config.redisPrefix }, "Worker started; waiting for rows.");
      await stopped;
      deps.logger.info("Worker stopping: handing in-flight rows back (their run ids are saved).");
      await worker.close();
      await client.close();
      await deps.close();
      if (fatal) throw fatal;
    });
}
