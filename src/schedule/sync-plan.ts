/**
 * What `schedule sync` changes: the enabled schedules of a folder against the job schedulers
 * this tool installed (ids `rfb-schedule:<name>`; any other scheduler is not ours and is never
 * touched). A scheduler whose stored file hash differs is upserted; one whose file is gone or
 * disabled is removed. Pure.
 */

const SCHEDULER_ID_PREFIX = "rfb-schedule:";

export function schedulerIdOf(name: string): string {
  return SCHEDULER_ID_PREFIX + name;
}

/** The schedule's name when `id` is one of ours, else null. */
export function nameOfSchedulerId(id: string): string | null {
  return id.startsWith(SCHEDULER_ID_PREFIX) ? id.slice(SCHEDULER_ID_PREFIX.length) : null;
}

export interface WantedSchedule {
  readonly name: string;
  /** sha256 of the schedule file's path and content. */
  readonly hash: string;
  readonly enabled: boolean;
}

export interface InstalledScheduler {
  readonly id: string;
  /** The hash stored in its template data; null when unreadable. */
  readonly hash: string | null;
}

export interface SyncPlan<W extends WantedSchedule> {
  readonly add: readonly W[];
  readonly change: readonly W[];
  readonly unchanged: readonly W[];
  /** Ours, with no enabled file behind them. */
  readonly remove: readonly string[];
  /** Disabled files (nothing installed for them after the sync). */
  readonly disabled: readonly W[];
}

export function planSync<W extends WantedSchedule>(
  wanted: readonly W[],
  installed: readonly InstalledScheduler[],
): SyncPlan<W> {
  const ours = new Map<string, InstalledScheduler>();
  for (const s of installed) {
    const name = nameOfSchedulerId(s.id);
    if (name !== null) ours.set(name, s);
  }
  const add: W[] = [];
  const change: W[] = [];
  const unchanged: W[] = [];
  const disabled: W[] = [];
  const keep = new Set<string>();
  for (const w of wanted) {
    if (!w.enabled) {
      disabled.push(w);
      continue;
    }
    keep.add(w.name);
    const there = ours.get(w.name);
    if (!there) add.push(w);
    else if (there.hash !== w.hash) change.push(w);
    else unchanged.push(w);
  }
  const remove = [...ours.entries()].filter(([name]) => !keep.has(name)).map(([, s]) => s.id);
  return { add, change, unchanged, remove, disabled };
}
