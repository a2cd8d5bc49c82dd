import { describe, expect, it } from "vitest";
import { checkSchedule } from "./schedule-schema.js";
import { keepsOneDirectory, occurrenceBatchId, sharedOutDir, type Schedule } from "./schedule.js";

const FILE = "/srv/jobs/nightly.schedule.yaml";
const SHOWN = "jobs/nightly.schedule.yaml";
const F = "jobs/nightly.schedule.yaml: ";
const NAME_EXPECTED =
  "letters, digits, - and _ starting with a letter or digit, at most 46 characters " +
  "(it names batches, so no colons)";
const TZ_EXPECTED =
  "an IANA time zone such as Europe/Berlin, America/New_York or UTC (required: no silent UTC)";
const CRON_EXPECTED =
  '5 fields (minute hour day-of-month month day-of-week) or 6 with seconds first, e.g. "0 2 * * *"';
const minimal = { name: "nightly", manifest: "nightly.jsonl", cron: "0 2 * * *", tz: "Europe/Berlin" };

function valid(value: unknown): Schedule {
  const checked = checkSchedule(value, FILE, SHOWN);
  if (!checked.ok) throw new Error(checked.problems.map((p) => p.message).join("\n"));
  return checked.schedule;
}

function problems(value: unknown): string[] {
  const checked = checkSchedule(value, FILE, SHOWN);
  return checked.ok ? [] : checked.problems.map((p) => p.message);
}

describe("schedule files", () => {
  it("fill the defaults and resolve paths against the file's folder", () => {
    expect(valid(minimal)).toEqual({
      name: "nightly",
      file: FILE,
      manifest: "/srv/jobs/nightly.jsonl",
      recipe: null,
      feedHeaders: null,
      cron: "0 2 * * *",
      tz: "Europe/Berlin",
      seconds: false,
      out: "out/{name}/{date}",
      capMicros: null,
      overlap: "skip",
      startingDeadlineMs: null,
      enabled: true,
      notifyUrl: null,
      concurrency: null,
      prices: null,
      quality: null,
      model: null,
    });
  });

  it("read every field", () => {
    const schedule = valid({
      ...minimal,
      manifest: "../exports/{date}.jsonl",
      cron: "*/10 * * * * *",
      out: "out/{name}/{date}/{time}",
      max_cost: "12.50",
      overlap: "queue",
      starting_deadline: "2h",
      enabled: false,
      notify_url: "https://hooks.example.com/runflow",
      concurrency: 20,
      prices: "prices.json",
      quality: "low",
      model: "openai/gpt-image-2",
    });
    expect(schedule).toMatchObject({
      manifest: "/srv/exports/{date}.jsonl",
      seconds: true,
      capMicros: 12_500_000,
      overlap: "queue",
      startingDeadlineMs: 7_200_000,
      enabled: false,
      notifyUrl: "https://hooks.example.com/runflow",
      concurrency: 20,
      prices: "/srv/jobs/prices.json",
      quality: "low",
      model: "openai/gpt-image-2",
    });
    expect(valid({ ...minimal, max_cost: 25, starting_deadline: 90 })).toMatchObject({
      capMicros: 25_000_000,
      startingDeadlineMs: 90_000,
    });
  });

  it("name every problem with the file, the field, what was expected and what was found", () => {
    expect(
      problems({
        name: "night:ly",
        manifest: "x/{day}.jsonl",
        cron: "0 2 * *",
        tz: "Mars/Olympus",
        overlpa: "skip",
        max_cost: -3,
        enabled: "no",
      }),
    ).toEqual([
      F +
        'unknown field "overlpa" — did you mean "overlap"? ' +
        "(fields: name, manifest, recipe, feed_headers, cron, tz, out, max_cost, " +
        "overlap, starting_deadline, enabled, notify_url, concurrency, prices, quality, model)",
      F + `name must be ${NAME_EXPECTED}, got "night:ly"`,
      F +
        "manifest must be a path to a manifest or feed, relative to the schedule file, or its https:// URL; " +
        "{date} is the occurrence's date, " +
        'got "x/{day}.jsonl" ({day} is not a placeholder of manifest (only {date} is))',
      F + `tz must be ${TZ_EXPECTED}, got "Mars/Olympus" (not a time zone this system knows)`,
      F +
        'max_cost must be a dollar amount above 0 such as 25 or "12.50", ' +
        "got -3 (not a dollar amount above 0)",
      F + 'enabled must be true or false, got "no"',
      F + `cron must be ${CRON_EXPECTED}, got "0 2 * *" (4 fields)`,
    ]);
  });

  it("read a feed: a recipe beside the file, a manifest URL, credentials from environment variables", () => {
    expect(
      valid({
        ...minimal,
        manifest: "https://shop.example.com/feeds/{date}/products.xml?key=1",
        recipe: "merchant.recipe.yaml",
        feed_headers: { Authorization: "FEED_AUTH" },
      }),
    ).toMatchObject({
      manifest: "https://shop.example.com/feeds/{date}/products.xml?key=1",
      recipe: "/srv/jobs/merchant.recipe.yaml",
      feedHeaders: { Authorization: "FEED_AUTH" },
    });
    expect(
      problems({
        ...minimal,
        manifest: "http://feeds.example.com/p.xml",
        feed_headers: { Authorization: "secret token" },
      }),
    ).toEqual([
      F +
        "manifest must be a path to a manifest or feed, relative to the schedule file, or its https:// URL; " +
        '{date} is the occurrence\'s date, got "http://feeds.example.com/p.xml" (http://feeds.example.com/p.xml: ' +
        "feeds are fetched over https:// (http:// only from this machine, for tests); use the https URL)",
      F +
        "feed_headers must be an object of header names to the environment variables holding their values, " +
        'such as {Authorization: FEED_AUTH}, got {"Authorization":"…"}',
    ]);
  });

  it("require name, manifest, cron and tz (no silent UTC)", () => {
    expect(problems({})).toEqual([
      F + `name is required: ${NAME_EXPECTED}`,
      F +
        "manifest is required: a path to a manifest or feed, relative to the schedule file, or its https:// URL; " +
        "{date} is the occurrence's date",
      F + `cron is required: ${CRON_EXPECTED}`,
      F + `tz is required: ${TZ_EXPECTED}`,
    ]);
    expect(problems(["not", "an", "object"])).toEqual([
      F + 'file must be an object of fields (name, manifest, cron, tz, …), got ["not","an","object"]',
    ]);
  });

  it("refuse an out template that would give two occurrences one directory", () => {
    const from = Date.parse("2026-12-01T00:00:00Z");
    expect(sharedOutDir(valid(minimal), from)).toBeNull();
    expect(sharedOutDir(valid({ ...minimal, cron: "0 2,14 * * *" }), from)).toBe(
      'out "out/{name}/{date}" gives out/nightly/2026-12-01 to the occurrences at 2026-12-01 02:00 ' +
        "and 2026-12-01 14:00, but one directory holds one batch: add {time} to out",
    );
    expect(sharedOutDir(valid({ ...minimal, out: "out/{name}/{time}" }), from)).toBe(
      'out "out/{name}/{time}" has {time} but no {date}, ' +
        "so the occurrences of different days would share a directory, " +
        "but one directory holds one batch: add {date}, or leave out both to keep one directory up to date night after night",
    );
    // Neither {date} nor {time}: one directory, kept up to date by every occurrence (one batch).
    const catalogue = valid({ ...minimal, out: "out/catalogue", cron: "0 2,14 * * *" });
    expect(sharedOutDir(catalogue, from)).toBeNull();
    expect(keepsOneDirectory(catalogue)).toBe(true);
    expect(occurrenceBatchId(catalogue, "2026-12-01T0200")).toBe("nightly");
    expect(occurrenceBatchId(valid(minimal), "2026-12-01T0200")).toBe("nightly-2026-12-01T0200");
    expect(
      sharedOutDir(valid({ ...minimal, cron: "*/5 * * * * *", out: "out/{name}/{date}/{time}" }), from),
    ).toBeNull();
  });
});
