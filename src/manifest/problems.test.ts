import { describe, expect, it } from "vitest";
import { unknownNameHint } from "./columns.js";
import { levenshtein, nearest } from "../core/spelling.js";
import { describeFound, formatLocation, formatProblems, makeProblem } from "./problems.js";

const at = (line: number) => ({ file: "catalogue.csv", line });

describe("problems", () => {
  it("read as the design says", () => {
    const problem = makeProblem(at(12), "quality", "one of low, medium, high", "ultra");
    expect(problem).toEqual({
      location: at(12),
      field: "quality",
      expected: "one of low, medium, high",
      found: '"ultra"',
      message: 'catalogue.csv line 12: quality must be one of low, medium, high, got "ultra"',
    });
    expect(formatLocation({ file: "lookbook.json", index: 3 })).toBe("lookbook.json index 3");
  });

  it("shorten long found values and name absence", () => {
    expect(describeFound(undefined)).toBe("nothing");
    expect(describeFound("x".repeat(200))).toHaveLength(80);
    expect(describeFound({ width: 1 })).toBe('{"width":1}');
  });

  it("print at most `limit` lines, then how many more there are", () => {
    const list = Array.from({ length: 25 }, (_, i) => makeProblem(at(i + 2), "prompt", "text", 1));
    const text = formatProblems(list);
    expect(text.split("\n")).toHaveLength(21);
    expect(text.split("\n").at(-1)).toBe("… and 5 more problems");
    expect(formatProblems(list.slice(0, 2), 1)).toMatch(/\n… and 1 more problem$/);
    expect(formatProblems(list.slice(0, 3), 20, 1_000)).toMatch(/\n… and 997 more problems$/);
    expect(formatProblems([])).toBe("");
  });
});

describe("spelling suggestions", () => {
  it("find the nearest known name when it is close", () => {
    expect(levenshtein("qualty", "quality")).toBe(1);
    expect(nearest("qualty", ["id", "quality", "prompt"])).toBe("quality");
    expect(nearest("Image_URL", ["image_url", "image_urls"])).toBe("image_url");
    expect(nearest("colour", ["id", "quality", "prompt"])).toBeNull();
    expect(unknownNameHint("promt", ["prompt"])).toBe("unknown column `promt` — did you mean `prompt`?");
  });
});
