/**
 * `worker`: process queued rows until stopped (Ctrl-C or SIGTERM) — of one batch (`--batch`), or
 * of every batch submitted for this worker's endpoint and account — handing rows in flight back
 * on the way out (their run ids are saved, so the next worker resumes them).
 */
import type { ConfigurationError } from "../core/errors.js";
import { createWorker } from "../worker/worker.js";
import type { CommandContext } from "./context.js";
import { bindingOf, openQueueDeps, runflowClientFor } from "./shared/queue-deps.js";
import type { WorkerSettings } from "./settings.js";

export interface WorkSettings extends WorkerSettings {
  /** Serve this batch only; default: every batch submitted for this endpoint and account. */
  readonly batchId: string | undefined;
}

/** Resolves when the user asks to stop, or when `stop()` is called. */
function stopSignal(signal: AbortSignal | undefined): { stopped: Promise<void>; stop: () => void } {
  let stop: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  if (signal?.aborted) stop();
  signal?.addEventListener("abort", () => stop(), { once: true });
  return { stopped, stop };
}

export async function work(ctx: CommandContext, settings: WorkSettings): Promise<void> {
  const deps = await openQueueDeps(ctx.io);
  let fatal: ConfigurationError | null = null;
  const { stopped, stop } = stopSignal(ctx.io.signal);

  try {
    const client = runflowClientFor(deps.config, deps.logger, undefined, undefined, deps);
    try {
      const worker = createWorker({
        redis: deps.redis,
        keys: deps.keys,
        runflow: client,
        logger: deps.logger,
        concurrency: settings.concurrency,
        pauses: settings.pauses,
        lockDurationMs: settings.lockDurationMs,
        callback: settings.callback ?? undefined,
        callbackSecret: deps.config.callbackSecret,
        ...(settings.poll ? { poll: settings.poll } : {}),
        binding: bindingOf(deps.config, false),
        scope: settings.batchId === undefined ? { pool: true } : { batchId: settings.batchId },
        onFatal: (error) => {
          fatal ??= error;
          stop();
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
