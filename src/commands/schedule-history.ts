/**
 * `schedule history NAME`: the schedule's occurrences, newest first — due time, when it started,
 * its batch, state, rows and cost, or `skipped` / `missed` / `error` with the reason.
 */
import { createOccurrenceStore } from "../schedule/occurrence-store.js";
import { createScheduleQueue } from "../schedule/scheduler.js";
import { renderHistory } from "../schedule/views.js";
import type { CommandContext } from "./context.js";
import { openQueueDeps } from "../runtime/deps.js";

export interface ScheduleHistorySettings {
  readonly name: string;
  /** Occurrences shown, newest first. */
  readonly limit: number;
}

export async function scheduleHistory(ctx: CommandContext, settings: ScheduleHistorySettings): Promise<void> {
  const deps = await openQueueDeps(ctx.io);
  const queue = createScheduleQueue(deps.redis, deps.keys);
  try {
    const store = createOccurrenceStore(deps.redis, deps.keys);
    const entries = await store.history(settings.name, settings.limit);
    const views = await Promise.all(
      entries.map(async (entry) => ({
        entry,
        record: entry.batch ? await deps.ledger.batches.get(entry.batch) : null,
      })),
    );
    const tz = (await queue.get(settings.name))?.data?.schedule.tz ?? null;
    ctx.io.stdout.write(renderHistory(settings.name, views, tz));
  } finally {
    await queue.close();
    await deps.close();
  }
}
