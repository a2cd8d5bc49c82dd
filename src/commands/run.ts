/**
 * `run`: validate, submit, work, wait and write the reports, all in one process — the common
 * case. Running the same command again resumes the same batch. With a simulator (the CLI's
 * --simulate) nothing leaves the machine and nothing is billed.
 */
import { resolveOut } from "../core/out-location.js";
import { checkMarkerBinding, readMarker } from "../outdir/marker.js";
import { prepareSource } from "../feed/prepare.js";
import type { Queues } from "../queue/queues.js";
import type { Simulator } from "../simulator/index.js";
import { FEED_DEFAULTS } from "../config/defaults.js";
import type { CommandContext } from "./context.js";
import { openBatch } from "../batch/open/open-batch.js";
import { bindingOf, clientFor, openQueueDeps } from "../runtime/deps.js";
import { simulatorPoll, startRehearsal } from "../batch/run/rehearsal.js";
import { workAndReport } from "../batch/run/work-and-report.js";
import type { BatchSettings, WorkerSettings } from "../batch/settings.js";

export interface RunSettings extends BatchSettings {
  readonly out: string;
  readonly work: WorkerSettings;
  /** Start the built-in simulator with these settings and use it instead of Runflow. */
  readonly simulate: {
    readonly latencyMs: number | { min: number; max: number };
    readonly failRate: number;
  } | null;
}

export async function run(ctx: CommandContext, given: RunSettings): Promise<void> {
  const { concurrency } = given.work;
  // Enough rows wait in Redis to keep every run slot busy; the rest stay in the row store.
  const queueWindow =
    given.queueWindow ?? Math.max(FEED_DEFAULTS.window, 2 * (concurrency.generate + concurrency.edit));
  // `-`: stdin, spooled; a URL fetched; a feed's recipe checked, why its rows changed said
  const source = await prepareSource(given.source, ctx.io, { out: given.out, keep: true });
  const settings = { ...given, source, queueWindow };
  const deps = await openQueueDeps(ctx.io, { redisTimeoutMs: settings.redisTimeoutMs });
  let simulator: Simulator | null = null;
  let queues: Queues | null = null;
  try {
    if (settings.simulate) {
      const { latencyMs, failRate } = settings.simulate;
      // A rehearsal's runs are remembered in its directory, so Ctrl-C and the same command resume them.
      const out = resolveOut(settings.out);
      const marker = await readMarker(deps.stores.open(out));
      if (marker) checkMarkerBinding(settings.out, marker, bindingOf(deps.config, true));
      simulator = await startRehearsal({ outDir: out, latencyMs, failRate, logger: deps.logger });
      deps.logger.info({ url: simulator.url }, "Using the built-in Runflow simulator: nothing is billed.");
    }
    const binding = bindingOf(deps.config, simulator !== null);
    const { maxRps } = settings.work;
    const client = clientFor(deps, simulator, {
      maxRps: maxRps ?? undefined,
      concurrency: concurrency.generate + concurrency.edit,
    });
    try {
      const signal = ctx.io.signal;
      const opened = await deps.guard(
        openBatch({ ...deps, client, binding, settings, out: settings.out, stderr: ctx.io.stderr, signal }),
      );
      const { record } = opened;
      queues = opened.queues;
      const batchId = record.id;
      const verb = opened.created ? "Starting" : "Resuming";
      ctx.io.stderr.write(`${verb} batch ${batchId}: ${record.submission.rows} rows → ${settings.out}\n`);
      const poll = settings.simulate ? simulatorPoll(settings.simulate.latencyMs) : undefined;
      const code = await workAndReport(ctx.io, {
        deps,
        client,
        binding,
        record,
        work: settings.work,
        poll,
        again: "run the same command again",
      });
      ctx.setExitCode(code);
    } finally {
      await client.close();
    }
  } finally {
    await queues?.close();
    await simulator?.close();
    await deps.close();
  }
}
