import { describe, expect, it } from "vitest";
import { unknownNameHint } from "./columns.js";
import { levenshtein, nearest } from "../core/spelling.js";
import {
  describeFound,
  formatLocation,
  formatProblems,
  makeProblem,
  undecodableProblem,
} from "./problems.js";

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

  it("say a cause many rows share once, with how many and which, before the other problems", () => {
    const cp1252 = { guess: "windows-1252" as const };
    const list = [
      ...Array.from({ length: 640 }, (_, i) => undecodableProblem(at(i + 2), "prompt", "Caf\uFFFD", cp1252)),
      makeProblem(at(700), "quality", "one of low, medium, high", "ultra"),
    ];
    const lines = formatProblems(list).split("\n");
    expect(lines).toEqual([
      "catalogue.csv: bytes that are not valid UTF-8 (shown as \uFFFD) in 640 rows, on lines 2, 3, 4, 5, 6 and " +
        '635 more (first: prompt on line 2, "Caf\uFFFD"). They are valid Windows-1252 (what Excel on Windows ' +
        "saves): read the file with --encoding windows-1252, or save it as UTF-8.",
      'catalogue.csv line 700: quality must be one of low, medium, high, got "ultra"',
    ]);
    // Each row keeps its own problem (JSON output lists them), and without a guess the advice is general.
    expect(undecodableProblem(at(2), "prompt", "Caf\uFFFD").message).toBe(
      "catalogue.csv line 2: prompt has bytes that are not valid UTF-8 (shown as \uFFFD). The file is probably " +
        "in another encoding: name it with --encoding (e.g. --encoding windows-1252 for Excel on Windows, " +
        "latin1, utf-16le), or save the manifest as UTF-8.",
    );
    // Counted among all problems: the rest of a long list is still said.
    expect(formatProblems(list.slice(0, 3), 20, 50).split("\n").at(-1)).toBe("… and 47 more problems");
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
