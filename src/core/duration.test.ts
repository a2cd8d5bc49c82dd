import { describe, expect, it } from "vitest";
import {
  between,
  compactDuration,
  durationText,
  formatDuration,
  parseDuration,
  roughDuration,
} from "./duration.js";

describe("parseDuration", () => {
  it.each([
    ["90", 90_000],
    ["1.5", 1_500],
    ["500ms", 500],
    ["30s", 30_000],
    ["5m", 300_000],
    ["2h", 7_200_000],
    ["1h30m", 5_400_000],
    [" 10S ", 10_000],
  ])("%s → %d ms", (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(["", "soon", "-5s", "5 s", "5d", "s", "1m-"])("refuses %j", (text) =>
    expect(parseDuration(text)).toBeNull(),
  );
});

describe("writing durations", () => {
  it("says them plainly in sentences and reports", () => {
    expect([400, 30_000, 12_340, 119_000, 600_000, 7_800_000, null].map(formatDuration)).toEqual([
      "400 ms",
      "30 s",
      "12.3 s",
      "1 min 59 s",
      "10 min 00 s",
      "2 h 10 min",
      "—",
    ]);
  });

  it("keeps them short in the progress line", () => {
    expect([42_400, 185_000, 3_725_000].map(compactDuration)).toEqual(["42s", "3m05s", "1h02m"]);
  });

  it("rounds them for an estimate: seconds, then minutes, then hours and minutes", () => {
    expect(
      [0, 42_400, 89_000, 90_000, 240_000, 5_369_000, 5_400_000, 7_500_000, 7_199_000].map(roughDuration),
    ).toEqual(["0s", "42s", "89s", "2m", "4m", "89m", "1h30m", "2h05m", "2h00m"]);
  });

  it("writes them as a schedule file does, so they read back the same", () => {
    for (const ms of [7_200_000, 5_400_000, 90_000, 1_500, 250])
      expect(parseDuration(durationText(ms))).toBe(ms);
  });

  it("measures between two timestamps", () => {
    expect(between("2026-12-07T10:00:00Z", "2026-12-07T10:00:01.5Z")).toBe(1_500);
    expect(between(null, "2026-12-07T10:00:00Z")).toBeNull();
  });
});
