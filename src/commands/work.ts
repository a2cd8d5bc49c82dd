/**
 * `worker`: process queued rows until stopped (Ctrl-C or SIGTERM) — of one batch (`--batch`), or
 * of every batch submitted for this worker's endpoint and account — handing rows in flight back
 * on the way out (their run ids are saved, so the next worker resumes them). Workers own the
 * lifecycle of the batches they serve: the one that records a batch's last row writes its
 * reports into the batch's directory and sends its notification (end-batch.ts).
 */
import type { ConfigurationError } from "../core/errors.js";
import { createWorker } from "../worker/worker.js";
import type { CommandContext } from "./context.js";
import { endBatchHandler } from "../batch/end/end-batch.js";
import { checkApiKey } from "../batch/open/balance-check.js";
import { bindingOf, openQueueDeps, runflowClientFor } from "../runtime/deps.js";
import type { WorkerSettings } from "../batch/settings.js";

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

/**
 * @param options.keyChecked the caller (`serve`) already checked the API key; otherwise the key
 *   is checked at start (one request): a key Runflow refuses ends the worker with exit 4.
 */
export async function work(
  ctx: CommandContext,
  settings: WorkSettings,
  options: { readonly keyChecked?: boolean } = {},
): Promise<void> {
  const deps = await openQueueDeps(ctx.io, { redisTimeoutMs: settings.redisTimeoutMs });
  let fatal: ConfigurationError | null = null;
  const { stopped, stop } = stopSignal(ctx.io.signal);

  try {
    const limits = {
      maxRps: settings.maxRps ?? undefined,
      concurrency: settings.concurrency.generate + settings.concurrency.edit,
    };
    const client = runflowClientFor(deps.config, deps.logger, undefined, undefined, deps, limits);
    try {
      if (!options.keyChecked) await deps.guard(checkApiKey(client, deps.logger));
      const worker = createWorker({
        redis: deps.redis,
        keys: deps.keys,
        runflow: client,
        logger: deps.logger,
        settings,
        callbackSecret: deps.config.callbackSecret,
        binding: bindingOf(deps.config, false),
        scope: settings.batchId === undefined ? { pool: true } : { batchId: settings.batchId },
        stores: deps.stores,
        onBatchEnd: endBatchHandler(deps),
        onFatal: (error) => {
          fatal ??= error;
          stop();
        },
      });
      deps.logger.info(
        { ...settings.concurrency, prefix: deps.config.redisPrefix },
        "Worker started; waiting for rows.",
      );
      try {
        await deps.guard(stopped); // Redis gone past --redis-timeout ends the worker with exit 4
      } finally {
        if (deps.outage.down) {
          // Nothing can be handed back to a Redis that is gone: the rows stay as they are.
          deps.logger.info("Worker stopping; its rows stay in Redis for the next worker (run ids saved).");
          void worker.close();
        } else {
          deps.logger.info("Worker stopping: handing in-flight rows back (their run ids are saved).");
          await worker.close();
        }
      }
    } finally {
      await client.close();
    }
  } finally {
    await deps.close();
  }
  if (fatal) throw fatal;
}
