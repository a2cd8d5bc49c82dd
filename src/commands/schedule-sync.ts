/**
 * `schedule sync [DIR]`: make Redis hold exactly the enabled schedules of DIR — upsert changed
 * ones, remove ones whose file is gone or disabled — and print what changed. Idempotent. Any
 * invalid file refuses the whole sync with every problem (exit 2): nothing changes.
 */
import { loadScheduleFolder } from "../schedule/load.js";
import { createScheduleQueue } from "../schedule/scheduler.js";
import { syncLines, syncSchedules } from "../schedule/sync.js";
import type { CommandContext } from "./context.js";
import { openQueueDeps } from "../runtime/deps.js";

export interface ScheduleDirSettings {
  /** The schedules folder as the user named it. */
  readonly dir: string;
}

export async function scheduleSync(ctx: CommandContext, settings: ScheduleDirSettings): Promise<void> {
  // The files first: an invalid folder is refused before Redis is asked anything.
  const folder = await loadScheduleFolder(settings.dir, settings.dir, Date.now());
  const deps = await openQueueDeps(ctx.io);
  const queue = createScheduleQueue(deps.redis, deps.keys);
  try {
    const result = await syncSchedules(queue, folder, settings.dir);
    ctx.io.stdout.write(syncLines(result).join("\n") + "\n");
  } finally {
    await queue.close();
    await deps.close();
  }
}
