/**
 * `run`: validate, submit, work, wait and write the reports, all in one process — the common
 * case. Running the same command again resumes the same batch. With a simulator (the CLI's
 * --simulate) nothing leaves the machine and nothing is billed.
 */
import path from "node:path";
import { isInteractive } from "../config/config.js";
import { checkMarkerBinding, readMarker } from "../outdir/marker.js";
import { prepareManifestSource } from "../manifest/index.js";
import type { Queues } from "../queue/queues.js";
import { reportSummaryLine } from "../report/summary-line.js";
import { startSimulator, type Simulator } from "../simulator/index.js";
import type { CommandContext } from "./context.js";
import { openBatch } from "./shared/open-batch.js";
import { createProgressView } from "./shared/progress-view.js";
import { bindingOf, openQueueDeps, runflowClientFor, SIMULATED_KEY } from "./shared/queue-deps.js";
import { runBatch, type RunOutcome } from "./shared/run-batch.js";
import { writeReports } from "./shared/write-reports.js";
import type { BatchSettings, WorkerSettings } from "./settings.js";

export interface RunSettings extends BatchSettings {
  readonly out: string;
  readonly work: WorkerSettings;
  /** Start the built-in simulator with these settings and use it instead of Runflow. */
  readonly simulate: { readonly latencyMs: number | { min: number; max: number }; readonly failRate: number } | null;
  /** Rows kept queued in Redis ahead of the workers (backpressure). */
  readonly maxQueued: number | undefined;
}

const EXIT: Record<RunOutcome, number> = { done: 0, "failed-rows": 1, budget: 3, interrupted: 130 };

/** With the simulator, poll near its latency instead of a real model's typical duration. */
function simulatorPoll(latency: number | { min: number; max: number }) {
  return { initialMs: typeof latency === "number" ? latency : latency.min, intervalMs: 500, maxMs: 2_000 };
}

export async function run(ctx: CommandContext, given: RunSettings): Promise<void> {
  const settings = { ...given, source: await prepareManifestSource(given.source, ctx.io) }; // `-`: stdin, spooled
  const deps = await openQueueDeps(ctx.io);
  let simulator: Simulator | null = null;
  let queues: Queues | null = null;
  try {
    if (settings.simulate) {
      const { latencyMs, failRate } = settings.simulate;
      // A rehearsal's runs are remembered in its directory, so Ctrl-C and the same command resume them.
      const out = path.resolve(settings.out);
      const marker = await readMarker(out);
      if (marker) checkMarkerBinding(settings.out, marker, bindingOf(deps.config, true));
      const stateFile = path.join(out, ".rehearsal", "simulator.jsonl");
      simulator = await startSimulator({ port: 0, latencyMs, failRate, logger: deps.logger, stateFile });
      deps.logger.info({ url: simulator.url }, "Using the built-in Runflow simulator: nothing is billed.");
    }
    const binding = bindingOf(deps.config, simulator !== null);
    const client = simulator
      ? runflowClientFor(deps.config, deps.logger, simulator.url, SIMULATED_KEY, deps)
      : runflowClientFor(deps.config, deps.logger, undefined, undefined, deps);
    try {
      const opened = await openBatch({ ...deps, client, binding, settings, out: settings.out, stderr: ctx.io.stderr });
      const { prepared, record } = opened;
      queues = opened.queues;
      const batchId = record.id;
      const verb = prepared.created ? "Starting" : "Resuming";
      ctx.io.stderr.write(`${verb} batch ${batchId}: ${record.submission.rows} rows → ${settings.out}\n`);
      const poll = settings.work.poll ?? (settings.simulate ? simulatorPoll(settings.simulate.latencyMs) : undefined);
      const view = createProgressView(ctx.io.stderr, isInteractive(ctx.io.stderr, ctx.io.env), deps.logger);
      const { outcome } = await runBatch({
        redis: deps.redis,
        keys: deps.keys,
        ledger: deps.ledger,
        queues,
        binding,
        client,
        logger: deps.logger,
        batchId,
        source: settings.source,
        prices: settings.prices,
        outDir: settings.out,
        retry: settings.retry,
        concurrency: settings.work.concurrency,
        pauses: settings.work.pauses,
        lockDurationMs: settings.work.lockDurationMs,
        ...(poll ? { poll } : {}),
        ...(ctx.io.signal ? { signal: ctx.io.signal } : {}),
        onProgress: (r) => view.update(r),
        ...(settings.maxQueued ? { maxQueued: settings.maxQueued } : {}),
      });
      view.done();
      const written = await writeReports(deps, batchId, settings.out);
      ctx.io.stdout.write(reportSummaryLine(written.input, settings.out));
      if (outcome === "budget") {
        ctx.io.stderr.write(`Stopped by the budget cap. To finish, run the same command with a higher --max-cost.\n`);
      }
      if (outcome === "interrupted") {
        ctx.io.stderr.write(`Interrupted. Run the same command again to resume batch ${batchId}.\n`);
      }
      ctx.setExitCode(EXIT[outcome]);
    } finally {
      await client.close();
    }
  } finally {
    await queues?.close();
    await simulator?.close();
    await deps.close();
  }
}
