/**
 * A schedule as the tool uses it once its file is valid (schedule-schema.ts), and as it travels
 * in a BullMQ job scheduler's template data (read back through zod at the Redis boundary). Pure.
 */
import { normalizeOut } from "../core/out-location.js";
import { z } from "zod";
import { MODEL_IDS, QUALITIES, type ModelId, type Quality } from "../core/models.js";
import { nextFireTimes } from "./cron.js";
import { batchIdOf, keyText, occurrenceOf } from "./occurrence.js";
import { placeholdersIn, renderTemplate } from "./templates.js";
import { createWallClock, wallClock } from "./wall-clock.js";

export type Overlap = "skip" | "queue";

export interface Schedule {
  readonly name: string;
  /** The schedule file, absolute. */
  readonly file: string;
  /** The manifest, absolute, or its URL; may hold `{date}`. */
  readonly manifest: string;
  /** A recipe file, absolute: the manifest is a product feed read through it. */
  readonly recipe: string | null;
  /** A feed fetched from a URL: header → the environment variable holding its value. */
  readonly feedHeaders: Readonly<Record<string, string>> | null;
  readonly cron: string;
  readonly tz: string;
  /** The cron has a seconds field (6 fields). */
  readonly seconds: boolean;
  /** The output directory template ({name}, {date}, {time}); relative to where the occurrence starts. */
  readonly out: string;
  /** Budget cap per occurrence, micro-dollars. */
  readonly capMicros: number | null;
  readonly overlap: Overlap;
  /** An occurrence that cannot start within this long of its due time is missed. */
  readonly startingDeadlineMs: number | null;
  readonly enabled: boolean;
  readonly notifyUrl: string | null;
  /** Runs in flight at once for one occurrence's batch, over every worker. */
  readonly concurrency: number | null;
  /** A prices file, absolute. */
  readonly prices: string | null;
  readonly quality: Quality | null;
  readonly model: ModelId | null;
}

/** The schedule as stored in a job scheduler's template data. */
export const scheduleJson = z.object({
  name: z.string(),
  file: z.string(),
  manifest: z.string(),
  recipe: z.string().nullable().default(null),
  feedHeaders: z.record(z.string(), z.string()).nullable().default(null),
  cron: z.string(),
  tz: z.string(),
  seconds: z.boolean(),
  out: z.string(),
  capMicros: z.number().int().nullable(),
  overlap: z.enum(["skip", "queue"]),
  startingDeadlineMs: z.number().nullable(),
  enabled: z.boolean(),
  notifyUrl: z.string().nullable(),
  concurrency: z.number().int().nullable(),
  prices: z.string().nullable(),
  quality: z.enum(QUALITIES).nullable(),
  model: z.enum(MODEL_IDS).nullable(),
});

/**
 * A schedule whose `out` names neither `{date}` nor `{time}` keeps one directory up to date,
 * night after night: every occurrence brings the same batch (named after the schedule) up to
 * date, paying only for rows that are new, changed or failed, and the overlap rule keeps two
 * occurrences out of it at once.
 */
export function keepsOneDirectory(schedule: Pick<Schedule, "out">): boolean {
  const used = placeholdersIn(schedule.out);
  return !used.includes("date") && !used.includes("time");
}

/** The batch an occurrence is: its own (`nightly-2026-12-01T0200`), or the schedule's one batch. */
export function occurrenceBatchId(schedule: Pick<Schedule, "name" | "out">, key: string): string {
  return keepsOneDirectory(schedule) ? schedule.name : batchIdOf(schedule.name, key);
}

/**
 * One directory is one batch. A schedule either keeps one directory up to date (an `out`
 * without `{date}` and `{time}`: one batch for every occurrence), or gives each occurrence a
 * directory of its own: a cron fires at the same times on every day it fires, so `out` then
 * needs `{date}`, and `{time}` when the first few fire times put two on one date. The reason as
 * a sentence, or null.
 */
export function sharedOutDir(schedule: Schedule, fromMs: number): string | null {
  const used = placeholdersIn(schedule.out);
  if (!used.includes("date")) {
    if (!used.includes("time")) return null;
    return (
      `out ${JSON.stringify(schedule.out)} has {time} but no {date}, so the occurrences of different days ` +
      "would share a directory, but one directory holds one batch: add {date}, or leave out both to keep " +
      "one directory up to date night after night"
    );
  }
  if (used.includes("time")) return null;
  const clock = createWallClock(schedule.tz);
  const seen = new Map<string, string>();
  for (const due of nextFireTimes(schedule.cron, schedule.tz, fromMs, 4)) {
    const occurrence = occurrenceOf(schedule, due, clock);
    const dir = normalizeOut(renderTemplate(schedule.out, occurrence.values));
    const other = seen.get(dir);
    if (other !== undefined && other !== occurrence.key) {
      return (
        `out ${JSON.stringify(schedule.out)} gives ${dir} to the occurrences at ${keyText(other)} ` +
        `and ${keyText(occurrence.key)}` +
        `, but one directory holds one batch: add {time} to out`
      );
    }
    seen.set(dir, occurrence.key);
  }
  return null;
}

/** `2026-12-02 02:00 Europe/Berlin (01:00 UTC)` */
export function describeTime(ms: number, zone: string, seconds: boolean): string {
  const local = wallClock(ms, zone, seconds);
  const utc = wallClock(ms, "UTC", seconds);
  const utcText = utc.date === local.date ? utc.text.slice(11) : utc.text;
  return zone === "UTC" || zone === "Etc/UTC"
    ? `${local.text} UTC`
    : `${local.text} ${zone} (${utcText} UTC)`;
}
