import { describe, expect, it } from "vitest";
import { ManifestError } from "./errors.js";
import { makeProblem } from "./problems.js";
import { manifestErrorJson, problemsJson } from "./problems-json.js";

describe("problems as JSON", () => {
  it("gives file, line or index, field, expected, found (as a value) and message", () => {
    const line = makeProblem({ file: "a.csv", line: 4 }, "quality", "one of low, medium, high", "ultra");
    const index = makeProblem(
      { file: "b.json", index: 2 },
      "prompt",
      "a value",
      undefined,
      "prompt is required",
    );
    const number = makeProblem({ file: "b.json", index: 3 }, "num_images", "a whole number from 1 to 4", 9);
    expect(
      problemsJson({ problems: [line, index, number], problemCount: 3, rows: 10, invalidRows: 3 }),
    ).toEqual({
      problems: [
        {
          file: "a.csv",
          line: 4,
          field: "quality",
          expected: "one of low, medium, high",
          found: "ultra",
          message: 'a.csv line 4: quality must be one of low, medium, high, got "ultra"',
        },
        {
          file: "b.json",
          index: 2,
          field: "prompt",
          expected: "a value",
          found: null,
          message: "b.json index 2: prompt is required",
        },
        {
          file: "b.json",
          index: 3,
          field: "num_images",
          expected: "a whole number from 1 to 4",
          found: 9,
          message: "b.json index 3: num_images must be a whole number from 1 to 4, got 9",
        },
      ],
      rows: 10,
      invalid_rows: 3,
      problem_count: 3,
    });
  });

  it("a stopped manifest: the problems found before, then the stop with its own sentence", () => {
    const before = makeProblem({ file: "c.csv", line: 2 }, "quality", "one of low, medium, high", "x");
    const error = new ManifestError(
      "c.csv line 9: malformed CSV again.\nBefore that, …",
      {
        file: "c.csv",
        line: 9,
        field: "row",
        expected: "a well-formed CSV record",
        headline: "c.csv line 9: malformed CSV again.",
      },
      { problems: [before], problemCount: 1, rows: 7, invalidRows: 1 },
    );
    const json = manifestErrorJson(error);
    expect(json.problems.at(-1)).toEqual({
      file: "c.csv",
      line: 9,
      field: "row",
      expected: "a well-formed CSV record",
      found: null,
      message: "c.csv line 9: malformed CSV again.",
    });
    expect(json).toMatchObject({ rows: 7, invalid_rows: 1, problem_count: 2 });
    expect(json.problems).toHaveLength(2);
  });
});
