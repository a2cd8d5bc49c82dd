import { describe, expect, it } from "vitest";
import { UnreadableResultError } from "./errors.js";
import { parseStoredResult } from "./stored-result.js";

const result = {
  id: "chair",
  seq: 3,
  model: "openai/gpt-image-2",
  quality: "high",
  status: "succeeded",
  run_id: "run-1",
  images: ["images/chair.png"],
  estimated_micros: 133_000,
  cost_micros: 133_000,
  error: null,
  finished_at: "2026-11-20T08:00:00.000Z",
};

describe("stored result", () => {
  it("reads a recorded result, keeping fields a newer version added", () => {
    expect(parseStoredResult("b1", "chair", JSON.stringify({ ...result, newer: 1 }))).toEqual({
      ...result,
      newer: 1,
    });
  });

  it("says which row and field cannot be read", () => {
    expect(() => parseStoredResult("b1", "chair", "{")).toThrow(UnreadableResultError);
    expect(() => parseStoredResult("b1", "chair", JSON.stringify({ ...result, status: "done" }))).toThrow(
      /row chair in batch b1 .*status/,
    );
  });
});
