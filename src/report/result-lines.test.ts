import { describe, expect, it } from "vitest";
import {
  csvColumns,
  csvHeader,
  csvLine,
  csvStyleFor,
  lineFromResult,
  pendingLine,
  perImageUsd,
} from "./result-lines.js";

const stored = {
  id: "a1",
  seq: 0,
  model: "openai/gpt-image-2",
  quality: "high",
  status: "succeeded" as const,
  run_id: "r1",
  images: ["images/a1-1.png", "images/a1-2.png"],
  estimated_micros: 266_000,
  cost_micros: 266_000,
  error: null,
  finished_at: "2026-11-22T00:00:10.000Z",
};

describe("result lines", () => {
  it("turns a stored result into the report's line with exact dollar strings", () => {
    const line = lineFromResult(stored);
    expect(line).toEqual({
      id: "a1",
      model: "openai/gpt-image-2",
      quality: "high",
      status: "succeeded",
      run_id: "r1",
      images: ["images/a1-1.png", "images/a1-2.png"],
      estimated_usd: "0.266",
      cost_usd: "0.266",
      cost_per_image_usd: "0.133",
      error: null,
      prompt: null,
      metadata: null,
      attempt: null,
      created_at: null,
      finished_at: "2026-11-22T00:00:10.000Z",
      duration_ms: null,
      content_sha: null,
    });
  });

  it("takes the richer fields from the result, or the prompt and metadata from the manifest row", () => {
    const rich = {
      ...stored,
      prompt: "a chair",
      metadata: { sku: "S1" },
      attempt: 2,
      created_at: "2026-11-22T00:00:00.000Z",
      duration_ms: 10_000,
    };
    expect(lineFromResult(rich)).toMatchObject({
      prompt: "a chair",
      metadata: { sku: "S1" },
      attempt: 2,
      duration_ms: 10_000,
    });
    expect(lineFromResult(stored, { prompt: "from manifest", metadata: { sku: "M" } })).toMatchObject({
      prompt: "from manifest",
      metadata: { sku: "M" },
    });
  });

  it("divides cost by images in whole micro-dollars, halves up", () => {
    expect(perImageUsd(266_000, 2)).toBe("0.133");
    expect(perImageUsd(100_000, 3)).toBe("0.033333"); // 33 333.33… µ$
    expect(perImageUsd(200_000, 3)).toBe("0.066667"); // 66 666.67… µ$
    expect(perImageUsd(5, 2)).toBe("0.000003"); // 2.5 µ$ rounds up
    expect(perImageUsd(0, 1)).toBe("0.000");
    expect(perImageUsd(140_000, 0)).toBeNull();
  });

  it("lists unfinished rows as pending or held by the budget, with no cost yet", () => {
    expect(
      pendingLine({ key: "t1", model: "runflow/tag-removal", quality: null }, 140_000, true, null),
    ).toMatchObject({ status: "held", cost_usd: null, estimated_usd: "0.140" });
    expect(
      pendingLine({ key: "t1", model: "runflow/tag-removal", quality: null }, 140_000, false, "r9", {
        prompt: null,
        metadata: { a: "1" },
      }),
    ).toMatchObject({ status: "pending", run_id: "r9", error: null, metadata: { a: "1" } });
  });

  it("quotes CSV fields with commas, quotes, newlines or edge spaces", () => {
    const line = pendingLine(
      { key: 'say "hi", then\nleave', model: "openai/gpt-image-2", quality: "low" },
      9_000,
      false,
      null,
    );
    expect(csvLine({ ...line, error: " padded" })).toBe(
      '"say ""hi"", then\nleave",openai/gpt-image-2,low,pending,,,0.009,," padded",,,,,,\n',
    );
    expect(csvLine({ ...line, id: "plain", images: ["a.png", "b.png"] })).toBe(
      "plain,openai/gpt-image-2,low,pending,,a.png|b.png,0.009,,,,,,,,\n",
    );
  });

  it("adds one column per metadata key, empty where a row lacks the key", () => {
    expect(csvColumns(["color", "sku"]).slice(-8)).toEqual([
      "prompt",
      "attempt",
      "created_at",
      "finished_at",
      "duration_ms",
      "cost_per_image_usd",
      "metadata.color",
      "metadata.sku",
    ]);
    expect(csvHeader(["a,b"])).toMatch(/,"metadata\.a,b"\n$/);
    const line = lineFromResult({
      ...stored,
      metadata: { sku: "S,1" },
      prompt: "p",
      attempt: 1,
      duration_ms: 5,
    });
    expect(csvLine(line, ["color", "sku"])).toBe(
      "a1,openai/gpt-image-2,high,succeeded,r1,images/a1-1.png|images/a1-2.png,0.266,0.266,," +
        'p,1,,2026-11-22T00:00:10.000Z,5,0.133,,"S,1"\n',
    );
  });

  it("writes results.csv for Excel when the manifest came from it: `;` and a byte order mark", () => {
    expect(csvStyleFor({})).toEqual({ delimiter: ",", bom: false });
    expect(csvStyleFor({ delimiter: "\t", encoding: "utf-8" })).toEqual({ delimiter: ",", bom: false });
    expect(csvStyleFor({ delimiter: ";" })).toEqual({ delimiter: ";", bom: true });
    expect(csvStyleFor({ encoding: "windows-1252" })).toEqual({ delimiter: ",", bom: true });
    const excel = csvStyleFor({ delimiter: ";", encoding: "windows-1252" });
    expect(csvHeader([], excel)).toMatch(/^\uFEFFid;model;quality;status;/);
    const line = lineFromResult({ ...stored, metadata: { sku: "S;1,2" }, prompt: "Écharpe, verte" });
    expect(csvLine(line, ["sku"], excel)).toBe(
      "a1;openai/gpt-image-2;high;succeeded;r1;images/a1-1.png|images/a1-2.png;0.266;0.266;;" +
        'Écharpe, verte;;;2026-11-22T00:00:10.000Z;;0.133;"S;1,2"\n',
    );
  });
});
