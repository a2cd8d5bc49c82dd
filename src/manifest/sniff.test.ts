import { describe, expect, it } from "vitest";
import { detectDelimiter, describeDelimiter, parseDelimiter } from "./delimiter.js";
import { sniffFormat } from "./sniff.js";

describe("sniffFormat", () => {
  it("tells CSV, a JSON array or object, and JSONL from the first line", () => {
    expect(sniffFormat("id,model,prompt")).toBe("csv");
    expect(sniffFormat("id;model;prompt")).toBe("csv");
    expect(sniffFormat('  [{"id": "a"},')).toBe("json");
    expect(sniffFormat("{")).toBe("json");
    expect(sniffFormat('{"defaults": {"model": "openai/gpt-image-2"}, "jobs": []}')).toBe("json");
    expect(sniffFormat('{"id": "a", "model": "openai/gpt-image-2", "prompt": "p"}')).toBe("jsonl");
    expect(sniffFormat("   ")).toBeNull();
  });
});

describe("CSV delimiters", () => {
  it("takes the separator the header uses most, outside quotes; a comma by default", () => {
    expect(detectDelimiter("id;model;prompt;quality")).toBe(";");
    expect(detectDelimiter("id\tmodel\tprompt")).toBe("\t");
    expect(detectDelimiter("id,model,prompt")).toBe(",");
    expect(detectDelimiter('"a;b;c",model,prompt')).toBe(",");
    expect(detectDelimiter("prompt")).toBe(",");
    expect(detectDelimiter("id;model,prompt")).toBe(","); // a tie keeps the comma
  });

  it("parses --delimiter: one character or a name", () => {
    expect(parseDelimiter(";")).toBe(";");
    expect(parseDelimiter("tab")).toBe("\t");
    expect(parseDelimiter("\\t")).toBe("\t");
    expect(parseDelimiter("Semicolon")).toBe(";");
    expect(parseDelimiter("|")).toBe("|");
    expect(() => parseDelimiter('"')).toThrow(/--delimiter must be one character/);
    expect(() => parseDelimiter(";;")).toThrow(/got ";;"/);
    expect(describeDelimiter("\t")).toBe("tab");
    expect(describeDelimiter(";")).toBe("`;`");
  });
});
