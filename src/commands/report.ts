/** `report`: write a batch's reports into a directory, finished or not. */
import { reportSummaryLine } from "../report/summary-line.js";
import type { CommandContext } from "./context.js";
import { openQueueDeps } from "./shared/queue-deps.js";
import { writeReports } from "./shared/write-reports.js";

export async function report(ctx: CommandContext, settings: { readonly batchId: string; readonly out: string }): Promise<void> {
  const deps = await openQueueDeps(ctx.io);
  try {
    const written = await writeReports(deps, settings.batchId, settings.out);
    ctx.io.stdout.write(reportSummaryLine(written.input, settings.out));
  } finally {
    await deps.close();
  }
}
