/**
 * `schedule list [DIR]`: every schedule file of DIR, valid or not — a valid one with its next
 * three fire times in its zone and in UTC, whether Redis holds it as it is, and its last
 * occurrence (time, batch, state, cost); an invalid one with its problems (then exit 2). Also
 * schedules Redis holds whose file is gone.
 */
import { loadScheduleFolder } from "../schedule/load.js";
import { EXIT } from "../core/exit-codes.js";
import { nextFireTimes } from "../schedule/cron.js";
import { createOccurrenceStore } from "../schedule/occurrence-store.js";
import { createScheduleQueue } from "../schedule/scheduler.js";
import { renderScheduleList, type ListedSchedule, type OccurrenceView } from "../schedule/views.js";
import type { CommandContext } from "./context.js";
import type { ScheduleDirSettings } from "./schedule-sync.js";
import { openQueueDeps } from "../runtime/deps.js";

export async function scheduleList(ctx: CommandContext, settings: ScheduleDirSettings): Promise<void> {
  const now = Date.now();
  const folder = await loadScheduleFolder(settings.dir, settings.dir, now);
  const deps = await openQueueDeps(ctx.io);
  const queue = createScheduleQueue(deps.redis, deps.keys);
  try {
    const store = createOccurrenceStore(deps.redis, deps.keys);
    const installed = await queue.installed();
    const byName = new Map(installed.map((s) => [s.name, s]));
    const items: ListedSchedule[] = [];
    for (const file of folder.files) {
      if (!file.ok) {
        items.push({ file, installed: null, next: [], last: null });
        continue;
      }
      const { schedule } = file;
      const [entry] = await store.history(schedule.name, 1);
      const last: OccurrenceView | null = entry
        ? { entry, record: entry.batch ? await deps.ledger.batches.get(entry.batch) : null }
        : null;
      const next = nextFireTimes(schedule.cron, schedule.tz, now, 3);
      items.push({ file, installed: byName.get(schedule.name) ?? null, next, last });
      byName.delete(schedule.name);
    }
    ctx.io.stdout.write(renderScheduleList(items, [...byName.values()], settings.dir));
    if (folder.problems.length > 0) ctx.setExitCode(EXIT.usage);
  } finally {
    await queue.close();
    await deps.close();
  }
}
