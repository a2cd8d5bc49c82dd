import { describe, expect, it } from "vitest";
import { parsePicksCsv, picksCsv, PicksFileError, type ImagePick } from "./picks-file.js";

const picks: ImagePick[] = [
  { id: "table", image: 1, pick: "reject", note: "" },
  { id: "chair", image: 3, pick: "pick", note: 'warm, "soft" light' },
  { id: "chair", image: 1, pick: "pick", note: "" },
  { id: "Zebra", image: 2, pick: "pick", note: " leading space" },
];

describe("picks.csv", () => {
  it("is written sorted by id (code units), then image, with rejects and quoted notes", () => {
    expect(picksCsv(picks)).toBe(
      "id,image,pick,note\n" +
        'Zebra,2,pick," leading space"\n' +
        "chair,1,pick,\n" +
        'chair,3,pick,"warm, ""soft"" light"\n' +
        "table,1,reject,\n",
    );
    expect(picksCsv([])).toBe("id,image,pick,note\n");
  });

  it("reads back what it writes", () => {
    expect(parsePicksCsv(picksCsv(picks), "picks.csv")).toEqual(
      [...picks].sort((a, b) => (a.id === b.id ? a.image - b.image : a.id < b.id ? -1 : 1)),
    );
  });

  it("reads columns in any order, a BOM, CRLF, other columns, and skips lines without a verdict", () => {
    const text = "\uFEFFpick,image,id,reviewer\r\nPICK,2,chair,ann\r\n,1,chair,bob\r\nreject,1,table,ann\r\n";
    expect(parsePicksCsv(text, "p.csv")).toEqual([
      { id: "chair", image: 2, pick: "pick", note: "" },
      { id: "table", image: 1, pick: "reject", note: "" },
    ]);
  });

  it("names every bad line, and what it expected", () => {
    const text =
      "id,image,pick,note\nchair,0,pick,\nchair,two,pick,\nchair,1,maybe,\n,1,pick,\nchair,1,pick,\nchair,1,reject,\n";
    let error: unknown;
    try {
      parsePicksCsv(text, "picks.csv");
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(PicksFileError);
    const message = (error as Error).message;
    expect(message).toContain("picks.csv is not a picks file runflow-batch can read (5 problems)");
    expect(message).toContain('line 2: image must be the image\'s number (1, 2, …), got "0"');
    expect(message).toContain('line 3: image must be the image\'s number (1, 2, …), got "two"');
    expect(message).toContain('line 4: pick must be pick or reject, got "maybe"');
    expect(message).toContain("line 5: id must be a row id, got nothing");
    expect(message).toContain('line 7: image 1 of "chair" was already given on line 6');
  });

  it("refuses a file without the columns it needs", () => {
    expect(() => parsePicksCsv("id,file\nchair,chair-1.png\n", "p.csv")).toThrow(
      "line 1: the header lacks image, pick (found id,file)",
    );
  });
});
