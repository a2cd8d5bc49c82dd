/**
 * Watching a schedules folder: `onChange` once things have been quiet for `debounceMs` after
 * any change to a schedule file in it (editors write a file in several steps).
 */
import { watch, type FSWatcher } from "node:fs";
import type { Logger } from "../log/logger.js";
import { SCHEDULE_FILE } from "./load.js";

export interface FolderWatch {
  close(): void;
}

export function watchScheduleFolder(
  dir: string,
  onChange: () => void,
  logger: Logger,
  debounceMs = 300,
): FolderWatch {
  let timer: NodeJS.Timeout | null = null;
  let watcher: FSWatcher | null = null;
  const changed = (file: string | null) => {
    // Without a name (some platforms) any change may be a schedule file's.
    if (file !== null && !SCHEDULE_FILE.test(file)) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      onChange();
    }, debounceMs);
  };
  try {
    watcher = watch(dir, { persistent: false }, (_event, file) =>
      changed(file === null ? null : String(file)),
    );
    watcher.on("error", (err) =>
      logger.warn(
        { err, dir },
        `Stopped watching ${dir} for schedule changes; restart serve to watch it again.`,
      ),
    );
  } catch (err) {
    logger.warn(
      { err, dir },
      `Cannot watch ${dir} for schedule changes; run \`schedule sync\` after editing.`,
    );
  }
  return {
    close() {
      if (timer) clearTimeout(timer);
      watcher?.close();
    },
  };
}
