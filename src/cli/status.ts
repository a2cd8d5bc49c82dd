/** `runflow-batch status [BATCH]`: flags and help; the use case is src/commands/status.ts. */
import { Option, type Command } from "commander";
import type { CommandContext } from "../commands/context.js";
import { addRedisTimeoutOption, parseRedisTimeout } from "./flags/batch-flags.js";
import { parsePositiveInt } from "./flags/parse-flags.js";

interface StatusFlags {
  format: "table" | "json";
  watch?: boolean;
  limit: string;
  redisTimeout?: string;
}

export function registerStatus(program: Command, ctx: CommandContext): void {
  const command = program
    .command("status")
    .summary("recent batches, or one batch's progress and money")
    .description(
      "Without a batch: recent batches, one line each. With one: rows by state, images, " +
        "estimated vs spent vs reserved per model × tier, pace, ETA and what the batch waits for.",
    )
    .argument("[batch]", "batch id")
    .addOption(new Option("--format <format>", "table or json").choices(["table", "json"]).default("table"))
    .option(
      "--watch",
      "with a batch: refresh every 2 seconds until the batch ends, then exit with its exit code",
    )
    .option("--limit <n>", "how many recent batches to list", "20");
  addRedisTimeoutOption(command)
    .addHelpText(
      "after",
      "\nExamples:\n  runflow-batch status\n  runflow-batch status b-1a2b3c4d5e6f --watch\n" +
        "  runflow-batch status b-1a2b3c4d5e6f --format json | jq .money",
    )
    .action(async (batchId: string | undefined, flags: StatusFlags) => {
      const settings = {
        batchId,
        format: flags.format,
        watch: flags.watch === true,
        limit: parsePositiveInt("--limit", flags.limit, 20),
        redisTimeoutMs: parseRedisTimeout(flags),
      };
      if (settings.watch) ctx.handlesStop();
      const { status } = await import("../commands/status.js");
      await status(ctx, settings);
    });
}
