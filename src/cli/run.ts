/**
 * `runflow-batch run <manifest> --out DIR`: validate, submit, work, wait and report in one
 * process. Running the same command again resumes the same batch.
 */
import type { Command } from "commander";
import { isInteractive } from "../config/config.js";
import type { RunOutcome } from "../pipeline/run-batch.js";
import type { Queues } from "../queue/queues.js";
import type { Simulator } from "../simulator/index.js";
import { addBatchOptions, parseBatchFlags, type BatchFlags } from "./batch-flags.js";
import type { CliContext } from "./context.js";
import { parsePositiveInt } from "./parse-flags.js";
import { loadQueueKit } from "./load-queue-kit.js";
import { createProgressView } from "./progress.js";
import { parseLatency, parseRate } from "./sim-flags.js";
import { reportSummaryLine } from "./summary.js";
import { addWorkerOptions, parseWorkerFlags, type WorkerFlags } from "./worker-flags.js";

interface RunFlags extends BatchFlags, WorkerFlags {
  out: string;
  simulate?: boolean;
  simLatency: string;
  simFailRate: string;
  maxQueued?: string;
}

const EXIT: Record<RunOutcome, number> = { done: 0, "failed-rows": 1, budget: 3, interrupted: 130 };

export function registerRun(program: Command, ctx: CliContext): void {
  addWorkerOptions(
    addBatchOptions(
      program
        .command("run")
      .summary("submit, work, wait and report in one process (the common case)")
        .description("Validate, submit, work, wait and write the reports, all in one process: the common case.")
        .argument("<manifest>", "CSV, JSON or JSONL manifest")
        .requiredOption("--out <dir>", "directory for images/ and the reports")
        .option("--simulate", "start the built-in Runflow simulator and use it: no key, no network, no money")
        .option("--sim-latency <ms>", "with --simulate: run duration in ms, or a range MIN-MAX", "1000-3000")
        .option("--sim-fail-rate <f>", "with --simulate: share of runs that fail (0–1)", "0")
        .option("--max-queued <n>", "rows kept queued in Redis ahead of the workers (default: max(1000, 2 × concurrency))"),
    ),
    100,
  )
    .addHelpText(
      "after",
      `
Exit codes: 0 all rows succeeded, 1 some rows failed, 2 invalid manifest (nothing submitted),
3 stopped by the budget cap (run again with a higher --max-cost to finish), 4 Redis or Runflow
unreachable or misconfigured, 130 interrupted (run the same command again to resume).

Examples:
  runflow-batch run jobs/catalogue.csv --out out/catalogue --simulate
  runflow-batch run catalogue.csv --out out/cat --max-cost 150 --concurrency 500`,
    )
    .action(async (manifestPath: string, flags: RunFlags) => {
      ctx.handlesStop();
      const settings = await parseBatchFlags(flags);
      const work = parseWorkerFlags(flags, 100);
      const latency = parseLatency("--sim-latency", flags.simLatency);
      const failRate = parseRate("--sim-fail-rate", flags.simFailRate);
      const maxQueued = flags.maxQueued === undefined ? undefined : parsePositiveInt("--max-queued", flags.maxQueued, 1_000);
      const { openQueueDeps, runflowClientFor, startSimulator, openBatch, runBatch, writeReports } = await loadQueueKit();
      const deps = await openQueueDeps(ctx.io);
      let simulator: Simulator | null = null;
      let queues: Queues | null = null;
      try {
        if (flags.simulate) {
          simulator = await startSimulator({ port: 0, latencyMs: latency, failRate, logger: deps.logger });
          deps.logger.info({ url: simulator.url }, "Using the built-in Runflow simulator: nothing is billed.");
        }
        const client = simulator ? runflowClientFor(deps.config, deps.logger, simulator.url, "rf_simulated_local") : runflowClientFor(deps.config, deps.logger);
        try {
          const opened = await openBatch({ ...deps, client, manifestPath, settings, out: flags.out, stderr: ctx.io.stderr });
          const { prepared, record } = opened;
          queues = opened.queues;
          const batchId = record.id;
          ctx.io.stderr.write(`${prepared.created ? "Starting" : "Resuming"} batch ${batchId}: ${record.rows} rows → ${flags.out}\n`);
          const simPoll = simulator ? { initialMs: typeof latency === "number" ? latency : latency.min, intervalMs: 500, maxMs: 2_000 } : undefined;
          const poll = work.poll ?? simPoll;
          const view = createProgressView(ctx.io.stderr, isInteractive(ctx.io.stderr, ctx.io.env), deps.logger);
          const { outcome } = await runBatch({
            redis: deps.redis,
            keys: deps.keys,
            store: deps.store,
            queues,
            client,
            logger: deps.logger,
            batchId,
            manifestPath,
            manifest: settings.manifest,
            prices: settings.prices,
            outDir: flags.out,
            retry: settings.retry,
            concurrency: work.concurrency,
            retryPolicy: work.retry,
            lockDurationMs: work.lockDurationMs,
            ...(poll ? { poll } : {}),
            ...(ctx.io.signal ? { signal: ctx.io.signal } : {}),
            onProgress: (r) => view.update(r),
            ...(maxQueued ? { maxQueued } : {}),
          });
          view.done();
          const written = await writeReports(deps.store, batchId, flags.out);
          ctx.io.stdout.write(reportSummaryLine(written.input, flags.out));
          if (outcome === "budget") ctx.io.stderr.write(`Stopped by the budget cap. To finish, run the same command with a higher --max-cost.\n`);
          if (outcome === "interrupted") ctx.io.stderr.write(`Interrupted. Run the same command again to resume batch ${batchId}.\n`);
          ctx.setExitCode(EXIT[outcome]);
        } finally {
          await client.close();
        }
      } finally {
        await queues?.close();
        await simulator?.close();
        await deps.close();
      }
    });
}
