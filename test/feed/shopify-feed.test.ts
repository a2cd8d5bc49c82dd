/**
 * A real Shopify export — Windows-1252, CRLF, HTML bodies with quoted newlines, a product's other
 * variants on continuation rows with an empty Title, an image-only row, a draft — estimated and
 * rendered through a recipe with two jobs per variant: exact totals, rendered prompts, line
 * numbers, `rows: variant` against `rows: product`, and problems that name the line, the job and
 * the field.
 */
import { readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sampleRows } from "../../src/feed/sample.js";
import { streamFeedBatches } from "../../src/feed/stream.js";
import type { ManifestItem } from "../../src/manifest/types.js";
import { scanManifest } from "../../src/pricing/scan.js";
import { cli } from "../helpers/cli.js";
import { tempDir } from "../helpers/manifests.js";
import { shopifyRecipe, writeShopifyExport } from "./feeds.js";

let dir: string;
let feed: string;

beforeAll(async () => {
  dir = await tempDir("rfb-feed-");
  feed = await writeShopifyExport(dir);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function recipe(name: string, text: string): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, text);
  return file;
}

async function items(recipeFile: string): Promise<ManifestItem[]> {
  const all: ManifestItem[] = [];
  for await (const batch of streamFeedBatches({
    path: feed,
    label: "products_export.csv",
    recipe: recipeFile,
  }))
    all.push(...batch);
  return all;
}

describe("a Shopify export through a recipe", () => {
  it("rows: variant — two jobs for each active variant, exact totals, prompts and lines", async () => {
    const file = await recipe("variant.recipe.yaml", shopifyRecipe());
    const scan = await scanManifest({ path: feed, recipe: file });
    // creme-tee: 3 variants (the image-only row is not one); beanie: 1; the draft shirt is left out.
    expect(scan).toMatchObject({ rows: 8, validRows: 8, problemCount: 0 });
    // hero: gpt-image-2/edit medium $0.034 × 4; lifestyle: gpt-image-2 low $0.009 × 2 images × 4.
    expect(scan.cost.estimatedMicros).toBe(4 * 34_000 + 4 * 2 * 9_000);
    expect(scan.cost.images).toBe(12);

    const rows = (await items(file)).map((item) => (item.ok ? item.row : null));
    expect(rows.map((row) => row?.key)).toEqual([
      "TEE-NAVY-hero",
      "TEE-NAVY-lifestyle",
      "TEE-SAND-hero",
      "TEE-SAND-lifestyle",
      "TEE-CREME-hero",
      "TEE-CREME-lifestyle",
      "BEANIE-hero",
      "BEANIE-lifestyle",
    ]);
    // The first row's body spans lines 2–6; each variant is located on its own line.
    expect(rows.map((row) => row?.location)).toEqual(
      [2, 2, 7, 7, 8, 8, 10, 10].map((line) => ({ file: "products_export.csv", line })),
    );
    const [navy, , sand, , creme, , beanie] = rows;
    expect(navy?.input).toEqual({
      prompt:
        'Studio photo of the Café Crème Tee in navy. A heavyweight tee in organic cotton. Relaxed fit, "boxy" cut. ' +
        "Garment-dyed & pre-washed — it’s soft",
      image_urls: ["https://cdn.example.com/tee-navy.jpg"],
      quality: "medium",
      num_images: 1,
    });
    // A continuation row inherits Title and Body from the product's first row; its own cells win.
    expect(sand?.input.prompt).toMatch(/^Studio photo of the Café Crème Tee in sand\. A heavyweight tee/);
    expect(sand?.input.image_urls).toEqual(["https://cdn.example.com/tee-sand.jpg"]);
    // No variant image: the product's first image, not the image row's.
    expect(creme?.input).toMatchObject({
      prompt: expect.stringMatching(/^Studio photo of the Café Crème Tee in crème\./),
      image_urls: ["https://cdn.example.com/tee-navy.jpg"],
    });
    expect(beanie?.input.prompt).toBe(
      "Studio photo of the Merino Beanie in default title. Soft merino rib knit. One size, €35.",
    );
    expect(rows[1]?.input).toEqual({
      prompt: "A person wearing the café crème tee outdoors, cotton mood",
      quality: "low",
      num_images: 2,
    });
    expect(beanie?.metadata).toEqual({ handle: "merino-beanie" });
  });

  it("rows: product — one unit per product: half the rows", async () => {
    const file = await recipe("product.recipe.yaml", shopifyRecipe({ rows: "product" }));
    const scan = await scanManifest({ path: feed, recipe: file });
    expect(scan).toMatchObject({ rows: 4, validRows: 4, problemCount: 0 });
    expect(scan.cost.estimatedMicros).toBe(2 * 34_000 + 2 * 2 * 9_000);
    const keys = (await sampleRows({ path: feed, recipe: file }, 10)).map((row) => row.key);
    expect(keys).toEqual(["TEE-NAVY-hero", "TEE-NAVY-lifestyle", "BEANIE-hero", "BEANIE-lifestyle"]);
  });

  it("a feed read as UTF-8 when it is Windows-1252: each row says so and how to fix it", async () => {
    const file = await recipe("utf8.recipe.yaml", shopifyRecipe({ encoding: false }));
    const scan = await scanManifest({ path: feed, label: "products_export.csv", recipe: file });
    expect(scan.validRows).toBe(1); // only the beanie's lifestyle prompt has nothing but ASCII
    expect(scan.problems[0]?.message).toMatch(
      /^products_export\.csv line 2 \(job hero\): prompt has bytes that are not valid UTF-8 .*--encoding windows-1252/,
    );
  });

  it("a column the feed does not have is named with its line, the job and the columns there are", async () => {
    const file = await recipe(
      "typo.recipe.yaml",
      shopifyRecipe({ prompt: 'Photo of {{ row.Title }}, SKU {{ row["Varient SKU"] }}' }),
    );
    const result = await cli(["estimate", feed, "--recipe", file], {});
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      `${feed} line 2 (job hero): prompt: the template refers to "Varient SKU", which the feed does not have ` +
        '— did you mean "Variant SKU"? (columns: Handle, Title, Body (HTML), Vendor, Type, Tags, Option1 Name, ' +
        "Option1 Value, Variant SKU, Variant Price, Variant Image, Image Src, Image Position, " +
        "Google Shopping / Gender, Status)",
    );
    expect(result.stderr).toContain(
      `${feed} line 7 (job hero): prompt: the template refers to "Varient SKU"`,
    );
    expect(result.stderr).toContain("Nothing was priced");
  });

  it("estimate --show prints the rendered rows; --format json carries them as manifest lines", async () => {
    const file = await recipe("show.recipe.yaml", shopifyRecipe());
    const table = await cli(["estimate", feed, "--recipe", file, "--show", "2"], {});
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toContain("total                                8      12          0.208");
    expect(table.stdout).toContain("Rendered rows (the first 2 of 8):");
    expect(table.stdout).toContain(
      `TEE-NAVY-hero — openai/gpt-image-2/edit medium, 1 image (${feed} line 2)`,
    );
    expect(table.stdout).toContain("  image_urls: https://cdn.example.com/tee-navy.jpg");

    const json = await cli(["estimate", feed, "--recipe", file, "--show", "1", "--format", "json"], {});
    expect(json.code, json.stderr).toBe(0);
    const parsed = JSON.parse(json.stdout) as { totals: unknown; sample: unknown[] };
    expect(parsed.totals).toMatchObject({ rows: 8, images: 12, estimated_usd: "0.208" });
    expect(parsed.sample).toEqual([
      {
        id: "TEE-NAVY-hero",
        model: "openai/gpt-image-2/edit",
        prompt: expect.stringMatching(/^Studio photo of the Café Crème Tee in navy\./),
        image_urls: ["https://cdn.example.com/tee-navy.jpg"],
        quality: "medium",
        num_images: 1,
        metadata: { handle: "creme-tee" },
      },
    ]);
  });

  it("render writes the rows as a JSONL manifest that estimates to the same totals", async () => {
    const file = await recipe("render.recipe.yaml", shopifyRecipe());
    const output = path.join(dir, "rendered.jsonl");
    const rendered = await cli(["render", feed, "--recipe", file, "-o", output], {});
    expect(rendered.code, rendered.stderr).toBe(0);
    expect(rendered.stderr).toContain(`Rendered 8 rows of ${feed} into ${output}.`);
    const lines = (await readFile(output, "utf8"))
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line) as unknown);
    expect(lines).toHaveLength(8);
    expect(lines[1]).toEqual({
      id: "TEE-NAVY-lifestyle",
      model: "openai/gpt-image-2",
      prompt: "A person wearing the café crème tee outdoors, cotton mood",
      quality: "low",
      num_images: 2,
      metadata: { handle: "creme-tee" },
    });
    const again = await cli(["estimate", output, "--format", "json"], {});
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({
      totals: { rows: 8, images: 12, estimated_usd: "0.208" },
    });

    const typo = await recipe("render-typo.recipe.yaml", shopifyRecipe({ prompt: "{{ row.Titel }}" }));
    const refused = await cli(["render", feed, "--recipe", typo, "-o", path.join(dir, "none.jsonl")], {});
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(
      'prompt: the template refers to "Titel", which the feed does not have — did you mean "Title"?',
    );
    await expect(readFile(path.join(dir, "none.jsonl"))).rejects.toThrow(/ENOENT/);
  });

  it("an invalid recipe lists every problem with its field (exit 2)", async () => {
    const file = await recipe(
      "bad.recipe.yaml",
      [
        "rows: variants",
        "jobs:",
        "  - name: hero",
        "    modle: openai/gpt-image-2",
        "    prompt: '{{ row.Title'",
      ].join("\n"),
    );
    const result = await cli(["estimate", feed, "--recipe", file], {});
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${file}: the recipe has 3 problems:`);
    expect(result.stderr).toContain(`rows must be "product" (one row per product) or "variant"`);
    expect(result.stderr).toContain("id is required: a template for each row's key");
    expect(result.stderr).toContain('jobs[0].modle: unknown field "modle" — did you mean "model"?');
  });
});
