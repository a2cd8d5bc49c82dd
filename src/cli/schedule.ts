/**
 * `runflow-batch schedule list|sync|run|history`: flags and help; the use cases are
 * src/commands/schedule-*.ts.
 */
import type { Command } from "commander";
import type { CommandContext } from "../commands/context.js";
import { parsePositiveInt } from "./flags/parse-flags.js";

const FILES = "*.schedule.yaml, *.schedule.yml or *.schedule.json";

export function registerSchedule(program: Command, ctx: CommandContext): void {
  const schedule = program
    .command("schedule")
    .summary("scheduled jobs: list, sync, run and history of the schedules in a folder")
    .description(
      `Scheduled jobs: one file per schedule (${FILES}) in a folder, jobs/ by default. ` +
        "`serve` syncs them and starts each occurrence; these commands look at and steer them.",
    )
    .addHelpText(
      "after",
      "\nExamples:\n  runflow-batch schedule list jobs/\n  runflow-batch schedule sync jobs/\n" +
        "  runflow-batch schedule run nightly\n  runflow-batch schedule history nightly",
    );

  schedule
    .command("list")
    .description(
      `Each schedule of DIR (${FILES}), valid or not: its next three fire times in its zone ` +
        "and in UTC, and its last occurrence.",
    )
    .argument("[dir]", "the schedules folder", "jobs")
    .action(async (dir: string) => {
      const { scheduleList } = await import("../commands/schedule-list.js");
      await scheduleList(ctx, { dir });
    });

  schedule
    .command("sync")
    .description(
      "Make Redis hold exactly the enabled schedules of DIR: upsert changed ones, remove ones whose " +
        "file is gone or disabled; " +
        "prints what changed. Any invalid file refuses the sync (exit 2) and changes nothing.",
    )
    .argument("[dir]", "the schedules folder", "jobs")
    .action(async (dir: string) => {
      const { scheduleSync } = await import("../commands/schedule-sync.js");
      await scheduleSync(ctx, { dir });
    });

  schedule
    .command("run")
    .description(
      "Start an occurrence of a synced schedule now (its own batch, the overlap rule); " +
        "prints its batch id. " +
        "serve or worker processes work its rows.",
    )
    .argument("<name>", "the schedule's name")
    .action(async (name: string) => {
      const { scheduleRun } = await import("../commands/schedule-run.js");
      await scheduleRun(ctx, { name });
    });

  schedule
    .command("history")
    .description(
      "A schedule's occurrences, newest first: due, started, batch, state, rows, cost, " +
        "or skipped/missed with the reason.",
    )
    .argument("<name>", "the schedule's name")
    .option("--limit <n>", "how many occurrences", "30")
    .action(async (name: string, flags: { limit: string }) => {
      const { scheduleHistory } = await import("../commands/schedule-history.js");
      await scheduleHistory(ctx, { name, limit: parsePositiveInt("--limit", flags.limit, 30) });
    });
}
