import { describe, expect, it } from "vitest";
import { BATCH_ID_PATTERN } from "../ledger/keys.js";
import { batchIdOf, manualDueMs, occurrenceOf } from "./occurrence.js";
import { MAX_NAME_LENGTH } from "./schedule-schema.js";
import { renderTemplate, unknownPlaceholders } from "./templates.js";
import { durationText } from "../core/duration.js";

describe("occurrences", () => {
  it("are keyed by the due time on the schedule's clock, with seconds for a 6-field cron", () => {
    const due = Date.parse("2026-12-01T01:00:05Z");
    expect(occurrenceOf({ name: "nightly", tz: "Europe/Berlin", seconds: false }, due)).toEqual({
      dueMs: due,
      key: "2026-12-01T0200",
      values: { name: "nightly", date: "2026-12-01", time: "0200" },
    });
    expect(occurrenceOf({ name: "fast", tz: "UTC", seconds: true }, due).key).toBe("2026-12-01T010005");
    // Late in the evening in New York is the next day in UTC: the date is the zone's.
    expect(
      occurrenceOf({ name: "ny", tz: "America/New_York", seconds: false }, Date.parse("2026-12-02T03:30:00Z"))
        .key,
    ).toBe("2026-12-01T2230");
  });

  it("name batches that are valid batch ids, even for the longest name", () => {
    const name = "n".repeat(MAX_NAME_LENGTH);
    const id = batchIdOf(name, occurrenceOf({ name, tz: "UTC", seconds: true }, Date.now()).key);
    expect(id).toMatch(BATCH_ID_PATTERN);
    expect(batchIdOf("nightly", "2026-12-01T0200")).toBe("nightly-2026-12-01T0200");
  });

  it("started by hand are due at this minute (or second)", () => {
    const now = Date.parse("2026-12-01T10:11:12.345Z");
    expect(new Date(manualDueMs(now, false)).toISOString()).toBe("2026-12-01T10:11:00.000Z");
    expect(new Date(manualDueMs(now, true)).toISOString()).toBe("2026-12-01T10:11:12.000Z");
  });
});

describe("templates", () => {
  it("fill {name}, {date} and {time} and leave what they do not know for validation to name", () => {
    const values = { name: "nightly", date: "2026-12-01", time: "0200" };
    expect(renderTemplate("out/{name}/{date}/{time}", values)).toBe("out/nightly/2026-12-01/0200");
    expect(renderTemplate("exports/{date}.jsonl", values)).toBe("exports/2026-12-01.jsonl");
    expect(unknownPlaceholders("out/{name}/{nmae}/{time}", ["name", "date", "time"])).toEqual(["nmae"]);
    expect(unknownPlaceholders("exports/{time}.jsonl", ["date"])).toEqual(["time"]);
  });

  it("durations read as a schedule file writes them", () => {
    expect([7_200_000, 5_400_000, 90_000, 5_000, 1_500, 250].map(durationText)).toEqual([
      "2h",
      "1h30m",
      "1m30s",
      "5s",
      "1.5s",
      "250ms",
    ]);
  });
});
