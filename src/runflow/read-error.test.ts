import { describe, expect, it } from "vitest";
import { formatErrorItem, parseRetryAfter, readErrorBody } from "./read-error.js";

describe("readErrorBody", () => {
  it("reads the flat envelope and joins field paths", () => {
    const body = {
      code: "VALIDATION_ERROR",
      message: "Input validation failed",
      errors: [
        { loc: ["input", "quality"], msg: "must be one of low, medium, high" },
        { field: "input.num_images", message: "must be between 1 and 4" },
        "prompt is required",
      ],
    };
    expect(readErrorBody(body)).toEqual({
      code: "VALIDATION_ERROR",
      message: "Input validation failed",
      errors: [
        "input.quality: must be one of low, medium, high",
        "input.num_images: must be between 1 and 4",
        "prompt is required",
      ],
    });
  });

  it("tolerates errors: null, a nested {error: …} envelope and non-JSON text", () => {
    expect(readErrorBody({ code: "RATE_LIMITED", message: "slow down", errors: null })).toEqual({
      code: "RATE_LIMITED",
      message: "slow down",
      errors: [],
    });
    expect(readErrorBody({ error: { code: "UNAUTHORIZED", message: "bad key" } })).toEqual({
      code: "UNAUTHORIZED",
      message: "bad key",
      errors: [],
    });
    expect(readErrorBody("<html>Bad gateway</html>")).toEqual({
      code: null,
      message: "<html>Bad gateway</html>",
      errors: [],
    });
    expect(readErrorBody(null)).toEqual({ code: null, message: null, errors: [] });
  });

  it("formats odd items without losing them", () => {
    expect(formatErrorItem({ path: "input.image_urls.0", code: "invalid_url" })).toBe(
      "input.image_urls.0: invalid_url",
    );
    expect(formatErrorItem({ field: "input.prompt" })).toBe("input.prompt: invalid");
    expect(
      formatErrorItem({ field: "input.quality", message: "input.quality must be one of low, medium, high" }),
    ).toBe("input.quality must be one of low, medium, high");
    expect(formatErrorItem({ weird: true })).toBe('{"weird":true}');
    expect(formatErrorItem(42)).toBeNull();
  });
});

describe("parseRetryAfter", () => {
  const now = Date.parse("2026-05-06T10:00:00Z");
  it.each([
    ["2", 2000],
    ["0", 0],
    ["1.5", 1500],
    [" 30 ", 30_000],
    ["Wed, 06 May 2026 10:00:05 GMT", 5000],
    ["Wed, 06 May 2026 09:59:00 GMT", 0],
    [["4", "9"], 4000],
  ] as const)("reads %j as %d ms", (value, expected) => {
    expect(parseRetryAfter(value, now)).toBe(expected);
  });

  it.each([[undefined], [null], [""], ["soon"], ["-3"]])("returns null for %j", (value) => {
    expect(parseRetryAfter(value, now)).toBeNull();
  });
});
