import { describe, expect, it } from "vitest";
import { UsageError } from "../core/errors.js";
import { pricesJson } from "./prices-file.js";
import { parsePriceTable } from "./prices-schema.js";
import { BUILT_IN_PRICES } from "./table.js";

describe("prices files", () => {
  it("replace built-in prices per model and tier; strings and numbers parse exactly", () => {
    const table = parsePriceTable(
      { "openai/gpt-image-2": { high: "0.2", low: 0.01 }, "runflow/tag-removal": { request: "0.123456" } },
      "p.json",
    );
    expect(table.source).toBe("p.json");
    expect(table.models["openai/gpt-image-2"]).toEqual({
      unit: "image",
      tiers: { low: 10_000, medium: 34_000, high: 200_000 },
    });
    expect(table.models["runflow/tag-removal"]).toEqual({ unit: "request", price: 123_456 });
    expect(table.models["runflow/product-isolation"]).toEqual(
      BUILT_IN_PRICES.models["runflow/product-isolation"],
    );
    expect(table.assumptions).toContain("Prices not in p.json are the built-in 2026-04-21 defaults.");
  });

  it("drop the gpt-image-1.5 assumption once the file prices its low and medium tiers", () => {
    expect(
      parsePriceTable({ "openai/gpt-image-1.5": { low: "0.01" } }, "p.json").assumptions.some((a) =>
        a.startsWith("openai/gpt-image-1.5"),
      ),
    ).toBe(true);
    expect(
      parsePriceTable({ "openai/gpt-image-1.5": { low: "0.01", medium: "0.02" } }, "p.json").assumptions.some(
        (a) => a.startsWith("openai/gpt-image-1.5"),
      ),
    ).toBe(false);
  });

  it.each([
    [[], "p.json: expected a JSON object of model → prices"],
    [
      { "openai/gpt-image2": { high: "1" } },
      'p.json: unknown model "openai/gpt-image2" — did you mean "openai/gpt-image-2"?',
    ],
    [
      { "openai/gpt-image-2": { request: "1" } },
      'p.json: "openai/gpt-image-2" is billed per image; give its tiers',
    ],
    [{ "openai/gpt-image-2": {} }, 'p.json: "openai/gpt-image-2" is billed per image'],
    [{ "openai/gpt-image-2": { ultra: "1" } }, 'p.json: "openai/gpt-image-2" is billed per image'],
    [
      { "runflow/tag-removal": { high: "1" } },
      'p.json: "runflow/tag-removal" is billed per request; give {"request": "0.14"}',
    ],
    [
      { "openai/gpt-image-2": { high: "-1" } },
      'p.json: "openai/gpt-image-2".high must be a dollar amount such as "0.133"',
    ],
    [
      { "openai/gpt-image-2": { high: "0.1234567" } },
      'p.json: "openai/gpt-image-2".high must be a dollar amount',
    ],
    [
      { "runflow/tag-removal": { request: "abc" } },
      'p.json: "runflow/tag-removal".request must be a dollar amount such as "0.133" (at most 6 decimals, not negative), got "abc".',
    ],
    [{ assumptions: "x" }, 'p.json: "assumptions" must be a list of sentences'],
  ])("reject %j", (value, message) => {
    expect(() => parsePriceTable(value, "p.json")).toThrow(UsageError);
    expect(() => parsePriceTable(value, "p.json")).toThrow(message);
  });

  it("pricesJson lists every price as a decimal string, the source and the assumptions", () => {
    expect(pricesJson(BUILT_IN_PRICES)).toEqual({
      source: "built-in 2026-04-21",
      "openai/gpt-image-2": { low: "0.009", medium: "0.034", high: "0.133" },
      "openai/gpt-image-2/edit": { low: "0.009", medium: "0.034", high: "0.133" },
      "openai/gpt-image-1.5": { low: "0.009", medium: "0.034", high: "0.133" },
      "runflow/tag-removal": { request: "0.140" },
      "runflow/product-isolation": { request: "0.270" },
      assumptions: [...BUILT_IN_PRICES.assumptions],
    });
  });
});
