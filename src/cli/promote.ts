/** `runflow-batch promote DRAFT_BATCH --out DIR`: flags and help; the use case is src/commands/promote.ts. */
import { Option, type Command } from "commander";
import type { CommandContext } from "../commands/context.js";
import { CONCURRENCY_DEFAULTS, FEED_DEFAULTS } from "../config/defaults.js";
import { MODEL_IDS, QUALITIES, type ModelId, type Quality } from "../core/models.js";
import { DEFAULT_RETRY_OPTIONS } from "../queue/retry-options.js";
import { DEFAULT_INSTRUCTION, type PromoteAs } from "../batch/promote/final-rows.js";
import { addRedisTimeoutOption, parseBatchFlags, type BatchFlags } from "./flags/batch-flags.js";
import { addWorkerOptions, parseWorkerFlags, type WorkerFlags } from "./flags/worker-flags.js";

interface PromoteFlags extends Omit<BatchFlags, "model" | "quality">, WorkerFlags {
  out: string;
  picks?: string;
  quality: Quality;
  model?: ModelId;
  as: PromoteAs;
  instruction?: string;
  dryRun?: boolean;
}

const HELP = `
The final batch's rows are the images picked in the draft (report.html or the dashboard; see
\`picks\`). --as edit (the default) runs GPT Image 2 Edit at the final quality with the picked
image as reference (a URL fetched fresh from the draft's run right before each create) and the
draft's prompt followed by --instruction, so the final looks like the take that was picked.
--as fresh runs the draft's own inputs at the final quality: a new sample, NOT the same picture.
Each final row is named after its draft image: <row id>, or <row id>-<n> when the draft row had
several images. --picks FILE first makes FILE the draft's picks (it replaces the picks stored on
the draft batch). Promoting again brings DIR up to date: new picks run, unpicked ones are listed
as removed, nothing is paid twice. The plan line is followed by what drafting saved against
running every draft image at the final quality.

Exit codes as for run: 0 all finals succeeded, 1 some failed (a draft whose images Runflow no
longer serves fails its row, naming the draft run), 2 bad usage or no picks, 3 stopped by the
budget cap, 4 Redis or Runflow unreachable, 130 interrupted (run the same command again).

Examples:
  runflow-batch promote out/drafts --out out/finals --picks ~/Downloads/picks.csv
  runflow-batch promote out/drafts --out out/finals --dry-run
  runflow-batch promote b-1a2b3c4d5e6f --out out/finals --as fresh --max-cost 20`;

export function registerPromote(program: Command, ctx: CommandContext): void {
  const command = program
    .command("promote")
    .summary("make a final batch from the images picked in a draft batch")
    .description("Make a final batch in DIR from the images picked in a draft batch, at the final quality.")
    .argument("<draft>", "the draft batch: its id (see `runflow-batch status`) or its directory")
    .requiredOption("--out <dir>", "the final batch's directory (one directory is one batch)")
    .option(
      "--picks <file>",
      "a picks.csv (report.html's export) that replaces the draft's stored picks first",
    )
    .addOption(new Option("--quality <tier>", "the finals' quality").choices(QUALITIES).default("high"))
    .addOption(
      new Option(
        "--model <model>",
        "the finals' model (default: GPT Image 2 Edit; fresh: the draft's)",
      ).choices(MODEL_IDS),
    )
    .addOption(
      new Option("--as <how>", "edit the picked image, or sample the draft's inputs afresh")
        .choices(["edit", "fresh"])
        .default("edit"),
    )
    .option(
      "--instruction <text>",
      `with --as edit, added after the draft's prompt (default: "${DEFAULT_INSTRUCTION}")`,
    )
    .option("--dry-run", "say what promoting would do and cost; nothing is written or paid")
    .option("--prices <file>", "a JSON prices file overriding the built-in prices")
    .option("--skip-invalid", "promote the picks that can be, and list the others")
    .option("--max-cost <usd>", "budget cap of the final batch in dollars")
    .option("--force", "start even when the Runflow balance cannot cover the estimate")
    .option(
      "--max-queued <n>",
      `rows kept waiting in Redis ahead of the workers (default ${FEED_DEFAULTS.window})`,
    )
    .option("--attempts <n>", "tries per row for transient errors", String(DEFAULT_RETRY_OPTIONS.attempts))
    .option(
      "--retry-backoff <ms>",
      "delay before a row's first retry",
      String(DEFAULT_RETRY_OPTIONS.backoffMs),
    )
    .option("--notify-url <url>", "POST a JSON summary here when the final batch ends")
    .option("--start-timeout <duration>", "retry the start-up balance check this long before exit 4", "2m");
  addWorkerOptions(addRedisTimeoutOption(command), CONCURRENCY_DEFAULTS.run)
    .addHelpText("after", HELP)
    .action(async (draft: string, flags: PromoteFlags) => {
      ctx.handlesStop();
      const { model, quality, ...rest } = flags;
      // The batch flags as run reads them (cap, retries, prices…); the rows are promote's own.
      const { source: _source, ...batch } = await parseBatchFlags(draft, rest);
      const { promote } = await import("../commands/promote.js");
      await promote(ctx, {
        ...batch,
        draft,
        out: flags.out,
        picksFile: flags.picks,
        quality,
        model,
        as: flags.as,
        instruction: flags.instruction ?? DEFAULT_INSTRUCTION,
        dryRun: flags.dryRun === true,
        work: parseWorkerFlags(flags, CONCURRENCY_DEFAULTS.run),
      });
    });
}
