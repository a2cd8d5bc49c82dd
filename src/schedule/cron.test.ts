import { describe, expect, it } from "vitest";
import { checkCron, nextFireTimes } from "./cron.js";
import { batchIdOf, occurrenceOf } from "./occurrence.js";

const iso = (ms: number[]) => ms.map((m) => new Date(m).toISOString());

describe("cron expressions", () => {
  it("takes 5 fields, or 6 with seconds, and refuses the rest with the reason", () => {
    expect(checkCron("0 2 * * *", "UTC")).toEqual({ ok: true, seconds: false });
    expect(checkCron("*/5 * * * * *", "UTC")).toEqual({ ok: true, seconds: true });
    expect(checkCron("0 2 * *", "UTC")).toEqual({ ok: false, reason: "4 fields" });
    expect(checkCron("@daily", "UTC")).toEqual({ ok: false, reason: "1 field" });
    const bad = checkCron("61 2 * * *", "UTC");
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.reason).toMatch(/61/);
  });

  it("gives the next fire times in the schedule's zone", () => {
    const from = Date.parse("2026-12-01T12:00:00Z");
    expect(iso(nextFireTimes("0 2 * * *", "Europe/Berlin", from, 3))).toEqual([
      "2026-12-02T01:00:00.000Z",
      "2026-12-03T01:00:00.000Z",
      "2026-12-04T01:00:00.000Z",
    ]);
    expect(iso(nextFireTimes("0 2 * * *", "America/New_York", from, 1))).toEqual([
      "2026-12-02T07:00:00.000Z",
    ]);
  });
});

describe("daylight saving changes fire each wall-clock occurrence once", () => {
  it("spring forward (Berlin, 29 March 2026): 02:30 does not exist; that night runs once, at 03:30", () => {
    const times = nextFireTimes("30 2 * * *", "Europe/Berlin", Date.parse("2026-03-27T12:00:00Z"), 3);
    expect(iso(times)).toEqual([
      "2026-03-28T01:30:00.000Z",
      "2026-03-29T01:30:00.000Z",
      "2026-03-30T00:30:00.000Z",
    ]);
    const keys = times.map((t) => occurrenceOf({ name: "n", tz: "Europe/Berlin", seconds: false }, t).key);
    expect(keys).toEqual(["2026-03-28T0230", "2026-03-29T0330", "2026-03-30T0230"]);
  });

  it("fall back (Berlin, 25 October 2026): 02:30 happens twice on the clock but fires once", () => {
    const times = nextFireTimes("30 2 * * *", "Europe/Berlin", Date.parse("2026-10-24T12:00:00Z"), 2);
    expect(iso(times)).toEqual(["2026-10-25T00:30:00.000Z", "2026-10-26T01:30:00.000Z"]);
  });

  it("an hourly schedule firing at 02:00 CEST and again at 02:00 CET is one occurrence: one batch id", () => {
    const times = nextFireTimes("0 * * * *", "Europe/Berlin", Date.parse("2026-10-24T23:30:00Z"), 3);
    expect(iso(times)).toEqual([
      "2026-10-25T00:00:00.000Z",
      "2026-10-25T01:00:00.000Z",
      "2026-10-25T02:00:00.000Z",
    ]);
    const ids = times.map((t) =>
      batchIdOf("hourly", occurrenceOf({ name: "hourly", tz: "Europe/Berlin", seconds: false }, t).key),
    );
    expect(ids).toEqual(["hourly-2026-10-25T0200", "hourly-2026-10-25T0200", "hourly-2026-10-25T0300"]);
  });

  it("New York's spring forward (8 March 2026) skips no night and doubles none", () => {
    const times = nextFireTimes("30 2 * * *", "America/New_York", Date.parse("2026-03-07T12:00:00Z"), 3);
    const keys = times.map((t) =>
      occurrenceOf({ name: "n", tz: "America/New_York", seconds: false }, t).key.slice(0, 10),
    );
    expect(keys).toEqual(["2026-03-08", "2026-03-09", "2026-03-10"]);
  });
});
