import { describe, expect, it } from "vitest";
import { csvLine, lineFromResult, pendingLine } from "./result-lines.js";

describe("result lines", () => {
  it("turns a stored result into the report's line with exact dollar strings", () => {
    const line = lineFromResult({
      id: "a1", seq: 0, model: "openai/gpt-image-2", quality: "high", status: "succeeded", run_id: "r1",
      images: ["images/a1-1.png", "images/a1-2.png"], estimated_micros: 266_000, cost_micros: 266_000, error: null, finished_at: "2026-11-22T00:00:00.000Z",
    });
    expect(line).toEqual({ id: "a1", model: "openai/gpt-image-2", quality: "high", status: "succeeded", run_id: "r1", images: ["images/a1-1.png", "images/a1-2.png"], estimated_usd: "0.266", cost_usd: "0.266", error: null });
  });

  it("lists unfinished rows as pending or held by the budget, with no cost yet", () => {
    expect(pendingLine({ key: "t1", model: "runflow/tag-removal", quality: null }, 140_000, true, null)).toMatchObject({ status: "held", cost_usd: null, estimated_usd: "0.140" });
    expect(pendingLine({ key: "t1", model: "runflow/tag-removal", quality: null }, 140_000, false, "r9")).toMatchObject({ status: "pending", run_id: "r9", error: null });
  });

  it("quotes CSV fields with commas, quotes, newlines or edge spaces", () => {
    const line = pendingLine({ key: 'say "hi", then\nleave', model: "openai/gpt-image-2", quality: "low" }, 9_000, false, null);
    expect(csvLine({ ...line, error: " padded" })).toBe('"say ""hi"", then\nleave",openai/gpt-image-2,low,pending,,,0.009,," padded"\n');
    expect(csvLine({ ...line, id: "plain", images: ["a.png", "b.png"] })).toBe("plain,openai/gpt-image-2,low,pending,,a.png|b.png,0.009,,\n");
  });
});
