import { describe, expect, it } from "vitest";
import { parseDuration } from "./duration.js";

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
