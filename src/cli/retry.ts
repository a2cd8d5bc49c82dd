/** `runflow-batch retry BATCH`: flags and help; the use case is src/commands/retry.ts. */
import type { Command } from "commander";
import type { CommandContext } from "../commands/context.js";
import { CONCURRENCY_DEFAULTS } from "../config/defaults.js";
import type { RetrySelection } from "../commands/retry.js";
import { UsageError } from "../core/errors.js";
import { checkBatchId } from "../ledger/batch-id.js";
import { parseLatency, parseRate } from "./flags/sim-flags.js";
import { addWorkerOptions, parseWorkerFlags, type WorkerFlags } from "./flags/worker-flags.js";

interface RetryFlags extends WorkerFlags {
  failed?: boolean;
  ids?: string;
  idsFile?: string;
  all?: boolean;
  simLatency: string;
  simFailRate: string;
}

function selection(flags: RetryFlags): RetrySelection {
  const given = [flags.failed, flags.ids, flags.idsFile, flags.all].filter(
    (f) => f !== undefined && f !== false,
  ).length;
  if (given > 1) throw new UsageError("say which rows with one of --failed, --ids, --ids-file or --all");
  if (flags.ids !== undefined)
    return {
      kind: "ids",
      ids: flags.ids
        .split(",")
        .map((id) => id.trim())
        .filter((id) => id !== ""),
    };
  if (flags.idsFile !== undefined) return { kind: "ids-file", file: flags.idsFile };
  if (flags.all) return { kind: "all" };
  return { kind: "failed" };
}

export function registerRetry(program: Command, ctx: CommandContext): void {
  const command = program
    .command("retry")
    .summary("run rows of a batch again as new attempts (failed ones by default)")
    .description(
      "Run rows of a batch again as new attempts, in this process, with the batch's cap, then write its reports. " +
        "Earlier attempts stay in each row's history and in the cost figures.",
    )
    .argument("<batch>", "batch id (see `runflow-batch status`, or DIR/.runflow-batch.json)")
    .option("--failed", "the rows that failed (the default)")
    .option("--ids <a,b>", "these row ids, comma-separated")
    .option("--ids-file <file>", "the row ids in this file, one per line")
    .option("--all", "every recorded row: fresh variations of the same prompts")
    .option(
      "--sim-latency <ms>",
      "for a rehearsal's batch: run duration in ms, or a range MIN-MAX",
      "1000-3000",
    )
    .option("--sim-fail-rate <f>", "for a rehearsal's batch: share of runs that fail (0–1)", "0");
  addWorkerOptions(command, CONCURRENCY_DEFAULTS.run)
    .addHelpText(
      "after",
      `
To bring a directory up to date with an edited manifest, run it again instead:
  runflow-batch run catalogue.csv --out out/cat      (changed, new and failed rows run; the rest is kept)

Examples:
  runflow-batch retry b-1a2b3c4d5e6f
  runflow-batch retry b-1a2b3c4d5e6f --ids SKU-00017,SKU-00342
  runflow-batch retry b-1a2b3c4d5e6f --all`,
    )
    .action(async (batchId: string, flags: RetryFlags) => {
      ctx.handlesStop();
      const settings = {
        batchId: checkBatchId(batchId),
        select: selection(flags),
        work: parseWorkerFlags(flags, CONCURRENCY_DEFAULTS.run),
        simulate: {
          latencyMs: parseLatency("--sim-latency", flags.simLatency),
          failRate: parseRate("--sim-fail-rate", flags.simFailRate),
        },
      };
      const { retry } = await import("../commands/retry.js");
      await retry(ctx, settings);
    });
}
