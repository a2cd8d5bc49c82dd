/**
 * A rehearsal's memory: every run the simulator creates is appended to a journal file (one JSON
 * line, written synchronously before the create is answered), and a simulator started on the same
 * file knows those runs again — same ids, end times, outcomes, images and idempotency keys. So a
 * `run --simulate` stopped with Ctrl-C and started again resumes its runs instead of meeting
 * 404 RUN_NOT_FOUND for each of them. Lines that cannot be read (a torn last line) are skipped.
 */
import { closeSync, mkdirSync, openSync, readFileSync, writeSync } from "node:fs";
import path from "node:path";
import type { SimRun } from "./run-store.js";

interface JournalEntry {
  readonly run: SimRun;
  /** The create's request fingerprint when it carried an Idempotency-Key. */
  readonly fingerprint: string | null;
}

export interface Journal {
  /** Entries found when the journal was opened, in creation order. */
  readonly restored: readonly JournalEntry[];
  append(entry: JournalEntry): void;
  close(): void;
}

function readEntries(file: string): JournalEntry[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  const entries: JournalEntry[] = [];
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    try {
      const entry = JSON.parse(line) as JournalEntry;
      if (entry && typeof entry.run?.id === "string") entries.push(entry);
    } catch {
      // a line torn by a crash mid-write: its create was never answered, so nobody knows the run
    }
  }
  return entries;
}

/** The file (and its directory) is made at the first append: a simulator that created no run leaves nothing. */
export function openJournal(file: string): Journal {
  const restored = readEntries(file);
  let fd: number | null = null;
  let open = true;
  return {
    restored,
    append(entry) {
      if (!open) return;
      if (fd === null) {
        mkdirSync(path.dirname(file), { recursive: true });
        fd = openSync(file, "a");
      }
      writeSync(fd, JSON.stringify(entry) + "\n");
    },
    close() {
      if (!open) return;
      open = false;
      if (fd !== null) closeSync(fd);
    },
  };
}
