/**
 * A schedule file's fields, validated with zod one field at a time, so every problem names the
 * file, the field, what was expected and what was found — all of them at once, as for
 * manifests. The result is a `Schedule` with paths resolved against the file's folder. Pure
 * (node:path only); the file is read by load.ts.
 */
import path from "node:path";
import { z } from "zod";
import { parseDuration } from "../core/duration.js";
import { MODEL_IDS, QUALITIES } from "../core/models.js";
import { parseUsdValue } from "../core/money.js";
import { nearest } from "../core/spelling.js";
import { describeFound } from "../manifest/problems.js";
import { checkFeedUrl, isUrl } from "../feed/url.js";
import { checkCron, CRON_EXPECTED } from "./cron.js";
import type { Schedule } from "./schedule.js";
import { problem, type ScheduleProblem } from "./schedule-problem.js";
import { unknownPlaceholders } from "./templates.js";
import { isTimeZone } from "./wall-clock.js";

const DEFAULT_OUT = "out/{name}/{date}";
/** Batch ids are at most 64 characters: the name, a dash and a 17-character occurrence key. */
export const MAX_NAME_LENGTH = 46;
const NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

interface Field<T> {
  readonly expected: string;
  readonly schema: z.ZodType<T>;
  /** Further checks after the type: the reason it is wrong, or null. */
  readonly check?: (value: T) => string | null;
}

const field = <T>(expected: string, schema: z.ZodType<T>, check?: (value: T) => string | null): Field<T> =>
  check ? { expected, schema, check } : { expected, schema };

const usd = (value: unknown): number | null => {
  try {
    return parseUsdValue(value);
  } catch {
    return null;
  }
};
const duration = (value: string | number): number | null =>
  typeof value === "number" ? value * 1_000 : parseDuration(value);

const FIELDS = {
  name: field(
    "letters, digits, - and _ starting with a letter or digit, " +
      `at most ${MAX_NAME_LENGTH} characters (it names batches, so no colons)`,
    z.string().regex(NAME).max(MAX_NAME_LENGTH),
  ),
  manifest: field(
    "a path to a manifest or feed, relative to the schedule file, or its https:// URL; {date} is the occurrence's date",
    z.string().min(1),
    (v) => {
      const unknown = unknownPlaceholders(v, ["date"]);
      if (unknown.length > 0) return `{${unknown[0]}} is not a placeholder of manifest (only {date} is)`;
      return isUrl(v) ? urlProblem(v) : null;
    },
  ),
  recipe: field(
    "a path to a recipe file (*.recipe.yaml), relative to the schedule file: the manifest is a product feed",
    z.string().min(1),
  ),
  feed_headers: field(
    "an object of header names to the environment variables holding their values, such as {Authorization: FEED_AUTH}",
    z.record(z.string().regex(/^[A-Za-z0-9-]+$/), z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/)),
  ),
  cron: field(CRON_EXPECTED, z.string().min(1)),
  tz: field(
    "an IANA time zone such as Europe/Berlin, America/New_York or UTC (required: no silent UTC)",
    z.string().min(1),
    (v) => (isTimeZone(v) ? null : "not a time zone this system knows"),
  ),
  out: field("an output directory template using {name}, {date} and {time}", z.string().min(1), (v) => {
    const unknown = unknownPlaceholders(v, ["name", "date", "time"]);
    return unknown.length > 0
      ? `{${unknown[0]}} is not a placeholder of out (use {name}, {date}, {time})`
      : null;
  }),
  max_cost: field('a dollar amount above 0 such as 25 or "12.50"', z.union([z.number(), z.string()]), (v) => {
    const micros = usd(v);
    return micros === null || micros <= 0 ? "not a dollar amount above 0" : null;
  }),
  overlap: field('"skip" or "queue"', z.enum(["skip", "queue"])),
  starting_deadline: field(
    "a duration such as 30m, 2h or 90 (seconds)",
    z.union([z.string(), z.number().positive()]),
    (v) => {
      const ms = duration(v);
      return ms === null || ms <= 0 ? "not a duration" : null;
    },
  ),
  enabled: field("true or false", z.boolean()),
  notify_url: field("an http:// or https:// URL", z.url({ protocol: /^https?$/ })),
  concurrency: field("a whole number from 1 to 10000", z.number().int().min(1).max(10_000)),
  prices: field("a path to a prices file, relative to the schedule file", z.string().min(1)),
  quality: field(`one of ${QUALITIES.join(", ")}`, z.enum(QUALITIES)),
  model: field(`one of ${MODEL_IDS.join(", ")}`, z.enum(MODEL_IDS)),
} as const;

/** Why a manifest URL cannot be fetched, or null. */
function urlProblem(text: string): string | null {
  try {
    checkFeedUrl(text.replace(/\{date\}/g, "2026-01-01"));
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/** `{"Authorization":"…"}`: the header names only. */
function hiddenValues(value: unknown): string {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return describeFound(value);
  return describeFound(Object.fromEntries(Object.keys(value).map((key) => [key, "…"])));
}

type FieldName = keyof typeof FIELDS;
const FIELD_NAMES = Object.keys(FIELDS) as FieldName[];
const REQUIRED: readonly FieldName[] = ["name", "manifest", "cron", "tz"];

export type ScheduleCheck =
  | { readonly ok: true; readonly schedule: Schedule }
  | { readonly ok: false; readonly problems: readonly ScheduleProblem[] };

type Good = Partial<Record<FieldName, unknown>>;

/** Fields the file has that are not schedule fields. */
function unknownFields(raw: Record<string, unknown>, shown: string, problems: ScheduleProblem[]): void {
  for (const key of Object.keys(raw)) {
    if ((FIELD_NAMES as string[]).includes(key)) continue;
    const hint = nearest(key, FIELD_NAMES);
    const suggestion = hint ? ` — did you mean "${hint}"?` : "";
    const message = `unknown field ${JSON.stringify(key)}${suggestion} (fields: ${FIELD_NAMES.join(", ")})`;
    problems.push(problem(shown, key, `one of ${FIELD_NAMES.join(", ")}`, key, message));
  }
}

/** Each field's value checked against its schema; the good ones, and a problem for each other. */
function checkFields(raw: Record<string, unknown>, shown: string, problems: ScheduleProblem[]): Good {
  const good: Good = {};
  for (const name of FIELD_NAMES) {
    const given = raw[name];
    const spec = FIELDS[name] as Field<unknown>;
    if (given === undefined || given === null) {
      if (REQUIRED.includes(name))
        problems.push(
          problem(shown, name, spec.expected, undefined, `${name} is required: ${spec.expected}`),
        );
      continue;
    }
    const parsed = spec.schema.safeParse(given);
    const reason = parsed.success ? (spec.check?.(parsed.data) ?? null) : null;
    if (parsed.success && reason === null) {
      good[name] = parsed.data;
      continue;
    }
    // A value written into feed_headers may be a secret pasted by mistake: never shown back.
    const found = name === "feed_headers" ? hiddenValues(given) : describeFound(given);
    const message = `${name} must be ${spec.expected}, got ${found}${reason ? ` (${reason})` : ""}`;
    problems.push(problem(shown, name, spec.expected, found, message));
  }
  return good;
}

/** The schedule of fields that all checked out; paths resolved against the file's folder. */
function scheduleOf(good: Good, file: string, cron: string, seconds: boolean): Schedule {
  const dir = path.dirname(file);
  const prices = good.prices as string | undefined;
  return {
    name: good.name as string,
    file,
    manifest: isUrl(good.manifest as string)
      ? (good.manifest as string)
      : path.resolve(dir, good.manifest as string),
    recipe: good.recipe === undefined ? null : path.resolve(dir, good.recipe as string),
    feedHeaders: (good.feed_headers as Record<string, string> | undefined) ?? null,
    cron: cron.trim(),
    tz: good.tz as string,
    seconds,
    out: (good.out as string | undefined) ?? DEFAULT_OUT,
    capMicros: good.max_cost === undefined ? null : usd(good.max_cost),
    overlap: (good.overlap as Schedule["overlap"] | undefined) ?? "skip",
    startingDeadlineMs:
      good.starting_deadline === undefined ? null : duration(good.starting_deadline as string | number),
    enabled: (good.enabled as boolean | undefined) ?? true,
    notifyUrl: (good.notify_url as string | undefined) ?? null,
    concurrency: (good.concurrency as number | undefined) ?? null,
    prices: prices === undefined ? null : path.resolve(dir, prices),
    quality: (good.quality as Schedule["quality"] | undefined) ?? null,
    model: (good.model as Schedule["model"] | undefined) ?? null,
  };
}

/**
 * Validates one parsed schedule file. `file` is the absolute path (paths in it are relative to
 * its folder), `shown` the path as the user named it, for messages.
 */
export function checkSchedule(value: unknown, file: string, shown: string): ScheduleCheck {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return {
      ok: false,
      problems: [problem(shown, "file", "an object of fields (name, manifest, cron, tz, …)", value)],
    };
  }
  const raw = value as Record<string, unknown>;
  const problems: ScheduleProblem[] = [];
  unknownFields(raw, shown, problems);
  const good = checkFields(raw, shown, problems);
  const tz = good.tz as string | undefined;
  const cron = good.cron as string | undefined;
  let seconds = false;
  if (cron !== undefined) {
    const checked = checkCron(cron, tz ?? "UTC");
    if (checked.ok) seconds = checked.seconds;
    else {
      const found = describeFound(cron);
      const message = `cron must be ${CRON_EXPECTED}, got ${found} (${checked.reason})`;
      problems.push(problem(shown, "cron", CRON_EXPECTED, found, message));
    }
  }
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, schedule: scheduleOf(good, file, cron as string, seconds) };
}
