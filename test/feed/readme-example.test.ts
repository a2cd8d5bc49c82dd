/**
 * The README's first feed example, as a user runs it: `run jobs/shopify-products.csv --recipe
 * jobs/shopify.recipe.yaml`. Every active variant gets its two images, the recipe's metadata
 * reaches results.jsonl and results.csv, and the money is the hand-computed sum.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT, cli } from "../helpers/cli.js";
import { tempDir } from "../helpers/manifests.js";
import { useTestbed } from "../helpers/testbed.js";

const FEED = path.join(ROOT, "jobs/shopify-products.csv");
const RECIPE = path.join(ROOT, "jobs/shopify.recipe.yaml");
/** The example's active variants (the linen shirt is a draft; image-only rows are not variants). */
const VARIANTS = [
  { handle: "organic-cotton-tee", sku: "TEE-NAVY-S" },
  { handle: "organic-cotton-tee", sku: "TEE-NAVY-M" },
  { handle: "organic-cotton-tee", sku: "TEE-SAND-S" },
  { handle: "merino-beanie", sku: "BEANIE-01" },
];

describe("the README's Shopify example", () => {
  const bed = useTestbed({ latencyMs: { min: 5, max: 20 }, seed: 5 });

  it("makes a hero and a lifestyle image per active variant, with the recipe's metadata in the reports", async () => {
    const out = path.join(await tempDir(), "shopify");
    const result = await cli(
      ["run", FEED, "--recipe", RECIPE, "--out", out, "--poll-interval", "10"],
      bed.env(),
    );
    expect(result.code, result.stderr).toBe(0);

    const lines = (await readFile(path.join(out, "results.jsonl"), "utf8"))
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { status: string; model: string; metadata: Record<string, string> });
    expect(lines).toHaveLength(2 * VARIANTS.length);
    expect(lines.every((l) => l.status === "succeeded")).toBe(true);
    const seen = lines.map((l) => `${l.metadata.handle} ${l.metadata.sku} ${l.model}`).sort();
    const expected = VARIANTS.flatMap(({ handle, sku }) => [
      `${handle} ${sku} openai/gpt-image-2`,
      `${handle} ${sku} openai/gpt-image-2/edit`,
    ]).sort();
    expect(seen).toEqual(expected);

    const csv = (await readFile(path.join(out, "results.csv"), "utf8")).trim().split("\n");
    expect(csv).toHaveLength(1 + 2 * VARIANTS.length);
    expect(csv[0]).toMatch(/metadata\.handle/);
    expect(csv.filter((l) => l.includes("TEE-NAVY-M"))).toHaveLength(2);

    // Per variant: the hero edit at medium ($0.034) and the lifestyle image at low ($0.009).
    const report = JSON.parse(await readFile(path.join(out, "cost-report.json"), "utf8")) as {
      totals: { actual_usd: string; estimated_usd: string };
    };
    const handSum = (VARIANTS.length * (34_000 + 9_000)) / 1e6;
    expect(report.totals.actual_usd).toBe(handSum.toFixed(3));
    expect(report.totals.estimated_usd).toBe(handSum.toFixed(3));
    expect(bed.sim.ledger().runsCreated).toBe(2 * VARIANTS.length);
  });
});
