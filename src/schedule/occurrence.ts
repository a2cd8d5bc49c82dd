/**
 * An occurrence of a schedule: its due time, its key (the due time on the schedule's wall clock,
 * `2026-12-01T0200`, or `2026-12-01T020005` for a cron with seconds) and the batch it is, named
 * from the schedule and that key. Two fires at the same wall-clock time (a daylight-saving
 * change repeating an hour) are the same occurrence: the same batch, never a second one. Pure.
 */
import type { TemplateValues } from "./templates.js";
import { wallClock, type WallClock } from "./wall-clock.js";

export interface OccurrenceTime {
  readonly dueMs: number;
  /** `2026-12-01T0200`: unique per wall-clock time of the schedule. */
  readonly key: string;
  /** `{name}`, `{date}`, `{time}` for the manifest and out templates. */
  readonly values: TemplateValues;
}

export interface ScheduleClock {
  readonly name: string;
  readonly tz: string;
  /** The cron has a seconds field: keys and `{time}` carry seconds. */
  readonly seconds: boolean;
}

/** `clock` reads instants in the schedule's zone (createWallClock): for many occurrences at once. */
export function occurrenceOf(
  schedule: ScheduleClock,
  dueMs: number,
  clock?: (ms: number) => WallClock,
): OccurrenceTime {
  const wall = clock ? clock(dueMs) : wallClock(dueMs, schedule.tz);
  const time = schedule.seconds ? wall.hhmmss : wall.hhmm;
  return { dueMs, key: `${wall.date}T${time}`, values: { name: schedule.name, date: wall.date, time } };
}

/** `2026-12-01T0200` → `2026-12-01 02:00` (and `:05` when the key has seconds). */
export function keyText(key: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2})(\d{2})(\d{2})?$/.exec(key);
  return m ? `${m[1]} ${m[2]}:${m[3]}${m[4] ? `:${m[4]}` : ""}` : key;
}

/** `nightly-2026-12-01T0200`: a valid batch id for every valid schedule name (≤ 46 characters). */
export function batchIdOf(name: string, key: string): string {
  return `${name}-${key}`;
}

/** The due time of an occurrence started by hand: now, to the schedule's resolution (minute or second). */
export function manualDueMs(nowMs: number, seconds: boolean): number {
  const step = seconds ? 1_000 : 60_000;
  return Math.floor(nowMs / step) * step;
}
