/**
 * `simulator`: the local Runflow API simulator as a long-running command. The first line on
 * stdout is exactly `Runflow simulator listening on http://HOST:PORT` (scripts and tests read it
 * to learn the port); it runs until SIGINT/SIGTERM, then closes cleanly.
 */
import { UsageError } from "../core/errors.js";
import { createLogger } from "../log/logger.js";
import { startSimulator, type SimulatorOptions } from "../simulator/index.js";
import type { CommandContext } from "./context.js";

function untilAborted(signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (!signal) return; // no way to be stopped: run until the process ends
    if (signal.aborted) resolve();
    else signal.addEventListener("abort", () => resolve(), { once: true });
  });
}

function listenError(error: unknown, options: SimulatorOptions): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "EADDRINUSE") {
    return new UsageError(
      `port ${options.port ?? 0} is already in use; pick another with --port, or --port 0 for a free one`,
      {
        cause: error,
      },
    );
  }
  if (code === "EADDRNOTAVAIL" || code === "ENOTFOUND") {
    return new UsageError(`cannot listen on --host ${JSON.stringify(options.host)}`, { cause: error });
  }
  return error;
}

export async function serveSimulator(
  ctx: CommandContext,
  settings: { readonly options: SimulatorOptions; readonly logLevel: string },
): Promise<void> {
  const { options } = settings;
  const logger = createLogger({ level: settings.logLevel, destination: ctx.io.stderr });
  const simulator = await startSimulator({ ...options, logger }).catch((error: unknown) => {
    throw listenError(error, options);
  });
  ctx.io.stdout.write(`Runflow simulator listening on ${simulator.url}\n`);
  const keys =
    options.apiKeys && options.apiKeys.length > 0
      ? `${options.apiKeys.length} configured key(s)`
      : "any rf_… key";
  ctx.io.stdout.write(`API keys: ${keys}. Ledger: ${simulator.url}/__simulator/ledger. Stop with Ctrl-C.\n`);
  await untilAborted(ctx.io.signal);
  const ledger = simulator.ledger();
  await simulator.close();
  ctx.io.stderr.write(
    `Runflow simulator stopped: ${ledger.runsCreated} runs created, $${ledger.billedUsd} billed.\n`,
  );
}
