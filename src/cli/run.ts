/** `runflow-batch run <manifest> --out DIR`: flags and help; the use case is src/commands/run.ts. */
import type { Command } from "commander";
import type { CommandContext } from "../commands/context.js";
import { CONCURRENCY_DEFAULTS } from "../config/defaults.js";
import { addBatchOptions, parseBatchFlags, type BatchFlags } from "./flags/batch-flags.js";
import { parseLatency, parseRate } from "./flags/sim-flags.js";
import { addWorkerOptions, parseWorkerFlags, type WorkerFlags } from "./flags/worker-flags.js";

interface RunFlags extends BatchFlags, WorkerFlags {
  out: string;
  simulate?: boolean;
  simLatency: string;
  simFailRate: string;
}

const HELP = `
An output directory is a batch: running the same command again brings DIR up to date. Rows that
succeeded unchanged are kept (no request), new, changed and failed rows run (a new attempt),
images missing from DIR are downloaded again, rows no longer in the manifest are listed as
removed. One line states the plan before anything is submitted; \`estimate MANIFEST --out DIR\`
prints it as a dry run.

Exit codes: 0 all rows succeeded, 1 some rows failed (or given up on: --give-up-after), 2 invalid
manifest or an unwritable --out (nothing submitted), 3 stopped by the budget cap (run again with
a higher --max-cost to finish), 4 Redis or Runflow unreachable or misconfigured, 5 canceled
(cancel BATCH), 130 interrupted (run the same command again to resume).

Examples:
  runflow-batch run jobs/catalogue.csv --out out/catalogue --simulate
  runflow-batch run catalogue.csv --out out/cat --max-cost 150 --concurrency 500`;

export function registerRun(program: Command, ctx: CommandContext): void {
  const command = program
    .command("run")
    .summary("submit, work, wait and report in one process (the common case)")
    .description("Validate, submit, work, wait and write the reports, all in one process: the common case.")
    .argument("<manifest>", "CSV, JSON or JSONL manifest; - reads stdin")
    .requiredOption(
      "--out <dir>",
      "the batch's directory: images/ and the reports (one directory is one batch)",
    )
    .option("--simulate", "start the built-in Runflow simulator and use it: no key, no network, no money")
    .option("--sim-latency <ms>", "with --simulate: run duration in ms, or a range MIN-MAX", "1000-3000")
    .option("--sim-fail-rate <f>", "with --simulate: share of runs that fail (0–1)", "0");
  addWorkerOptions(addBatchOptions(command), CONCURRENCY_DEFAULTS.run)
    .addHelpText("after", HELP)
    .action(async (manifest: string, flags: RunFlags) => {
      ctx.handlesStop();
      // The simulator's flags are checked even without --simulate: a typo is said at once.
      const sim = {
        latencyMs: parseLatency("--sim-latency", flags.simLatency),
        failRate: parseRate("--sim-fail-rate", flags.simFailRate),
      };
      const settings = {
        ...(await parseBatchFlags(manifest, flags)),
        out: flags.out,
        work: parseWorkerFlags(flags, CONCURRENCY_DEFAULTS.run),
        simulate: flags.simulate ? sim : null,
      };
      const { run } = await import("../commands/run.js");
      await run(ctx, settings);
    });
}
