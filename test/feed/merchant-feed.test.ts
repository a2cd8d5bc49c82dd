/**
 * Google Merchant Center feeds: the RSS 2.0 XML of jobs/ (g: elements, CDATA, repeated and
 * nested elements) and the same items as TSV give the same rows through one recipe — only where
 * each row came from differs. Items that lack an optional field take the recipe's default; a
 * field no item has is a problem naming the item's line.
 */
import { rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { streamFeedBatches } from "../../src/feed/stream.js";
import type { JobRow, ManifestItem } from "../../src/manifest/types.js";
import { scanManifest } from "../../src/pricing/scan.js";
import { ROOT } from "../helpers/cli.js";
import { tempDir } from "../helpers/manifests.js";
import { writeMerchantTsv } from "./feeds.js";

const XML = path.join(ROOT, "jobs/merchant-feed.xml");
const RECIPE = path.join(ROOT, "jobs/merchant.recipe.yaml");
let dir: string;

beforeAll(async () => {
  dir = await tempDir("rfb-merchant-");
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function items(feed: string, recipe = RECIPE): Promise<ManifestItem[]> {
  const all: ManifestItem[] = [];
  for await (const batch of streamFeedBatches({ path: feed, recipe })) all.push(...batch);
  return all;
}

const rowsOf = (all: readonly ManifestItem[]): JobRow[] =>
  all.map((item) => {
    if (!item.ok) throw new Error(item.problems.map((p) => p.message).join("\n"));
    return item.row;
  });

describe("Merchant Center feeds", () => {
  it("the XML feed: a cut-out and a hero per item, exact totals, rendered prompts", async () => {
    const scan = await scanManifest({ path: XML, recipe: RECIPE });
    expect(scan).toMatchObject({ rows: 6, validRows: 6, problemCount: 0 });
    // product-isolation $0.27 per request × 3; gpt-image-2/edit high $0.133 × 3.
    expect(scan.cost.estimatedMicros).toBe(3 * 270_000 + 3 * 133_000);

    const rows = rowsOf(await items(XML));
    expect(rows.map((row) => [row.key, row.location])).toEqual([
      ["NW-TEE-NAVY-M-cutout", { file: XML, line: 7 }],
      ["NW-TEE-NAVY-M-hero", { file: XML, line: 7 }],
      ["NW-BEANIE-cutout", { file: XML, line: 25 }],
      ["NW-BEANIE-hero", { file: XML, line: 25 }],
      ["NW-LINEN-L-cutout", { file: XML, line: 34 }],
      ["NW-LINEN-L-hero", { file: XML, line: 34 }],
    ]);
    expect(rows[0]).toMatchObject({
      model: "runflow/product-isolation",
      input: {
        image_url: "https://cdn.northwind.example/tee-navy.jpg",
        aspect_ratio: "1:1",
        resolution: "2K",
      },
      metadata: {
        gtin: "04012345678901",
        link: "https://northwind.example/products/organic-cotton-tee?variant=2",
      },
    });
    expect(rows[1]?.input.prompt).toBe(
      "Place the Organic Cotton Tee - Navy / M (navy) by Northwind on a light oak table by a window, " +
        "soft daylight, photorealistic. Keep the product exactly as it is.",
    );
    // The beanie has no colour and no size: the recipe's {% if row.color %} leaves them out.
    expect(rows[3]?.input.prompt).toMatch(/^Place the Merino Beanie by Northwind on a light oak table/);
    // The linen shirt has no gtin: its default is empty, so the key is left out.
    expect(rows[4]?.metadata).toEqual({ link: "https://northwind.example/products/linen-shirt" });
  });

  it("the same items as TSV give the same rows through the same recipe", async () => {
    const tsv = await writeMerchantTsv(dir);
    const fromXml = rowsOf(await items(XML)).map(({ location: _location, ...row }) => row);
    const fromTsv = rowsOf(await items(tsv));
    expect(fromTsv.map(({ location: _location, ...row }) => row)).toEqual(fromXml);
    expect(
      fromTsv.map((row) => row.location.file === tsv && "line" in row.location && row.location.line),
    ).toEqual([2, 2, 3, 3, 4, 4]);
  });

  it("a JSONL export (a PIM's own keys, nested values) through a recipe with filters on rows and jobs", async () => {
    const feed = path.join(dir, "pim.jsonl");
    await writeFile(
      feed,
      [
        {
          sku: "A-1",
          name: "Desk Lamp",
          colors: ["Brass", "Black"],
          media: { hero: "https://cdn.example.com/a1.jpg" },
          live: true,
        },
        { sku: "A-2", name: "Floor Lamp", colors: [], media: { hero: "" }, live: true },
        {
          sku: "A-3",
          name: "Old Lamp",
          colors: ["Red"],
          media: { hero: "https://cdn.example.com/a3.jpg" },
          live: false,
        },
      ]
        .map((row) => JSON.stringify(row))
        .join("\n") + "\n",
    );
    const recipe = path.join(dir, "pim.recipe.yaml");
    await writeFile(
      recipe,
      [
        'id: "{{ row.sku }}"',
        "where: row.live",
        "jobs:",
        "  - name: shot",
        "    model: openai/gpt-image-2",
        "    quality: low",
        "    prompt: '{{ row.name }}{% if row.colors.size > 0 %} in {{ row.colors | join: \" or \" | downcase }}{% endif %}'",
        "  - name: cutout",
        "    where: row.media.hero",
        "    model: runflow/product-isolation",
        "    image_url: '{{ row.media.hero }}'",
        "    aspect_ratio: '1:1'",
        "    resolution: 1K",
      ].join("\n"),
    );
    const rows = rowsOf(await items(feed, recipe));
    expect(rows.map((row) => [row.key, row.location, row.input.prompt ?? row.input.image_url])).toEqual([
      ["A-1-shot", { file: feed, line: 1 }, "Desk Lamp in brass or black"],
      ["A-1-cutout", { file: feed, line: 1 }, "https://cdn.example.com/a1.jpg"],
      ["A-2-shot", { file: feed, line: 2 }, "Floor Lamp"],
    ]);
  });

  it("an Atom feed: <entry> items, <link href> as its URL, and malformed XML named with its line", async () => {
    const atom = path.join(dir, "feed.atom");
    await writeFile(
      atom,
      [
        '<?xml version="1.0" encoding="ISO-8859-1"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom" xmlns:g="http://base.google.com/ns/1.0">',
        "  <title>Shop</title>",
        "  <entry>",
        "    <g:id>A1</g:id>",
        "    <title>Caf\u00e9 Mug</title>",
        '    <link href="https://shop.example.com/mug"/>',
        "    <g:image_link>https://cdn.example.com/mug.jpg</g:image_link>",
        "  </entry>",
        "</feed>",
      ].join("\n"),
      "latin1",
    );
    const recipe = path.join(dir, "atom.recipe.yaml");
    await writeFile(
      recipe,
      [
        'id: "{{ row.id }}"',
        "metadata: { link: '{{ row.link }}' }",
        "jobs:",
        "  - name: hero",
        "    model: openai/gpt-image-2/edit",
        "    quality: low",
        "    image_urls: '{{ row.image_link }}'",
        "    prompt: 'The {{ row.title }} on a table'",
      ].join("\n"),
    );
    const [row] = rowsOf(await items(atom, recipe));
    expect(row).toMatchObject({
      key: "A1-hero",
      location: { file: atom, line: 4 },
      input: { prompt: "The Café Mug on a table", image_urls: ["https://cdn.example.com/mug.jpg"] },
      metadata: { link: "https://shop.example.com/mug" },
    });

    const broken = path.join(dir, "broken.xml");
    await writeFile(
      broken,
      `<rss xmlns:g="http://base.google.com/ns/1.0"><channel>\n<item><g:id>1</g:id></item>\n<item><title>x</titel></item>\n</channel></rss>\n`,
    );
    await expect(items(broken, recipe)).rejects.toThrow(
      `${broken} line 3: malformed XML: unexpected close tag.`,
    );
    await writeFile(broken, "<rss><channel>\n<item><g:id>1</g:id></item></channel></rss>\n");
    await expect(items(broken, recipe)).rejects.toThrow(
      `${broken} line 2: malformed XML: unbound namespace prefix: "g".`,
    );
  });

  it("nested and repeated elements are objects and lists; a field no item has names the item's line", async () => {
    const recipe = path.join(dir, "fields.recipe.yaml");
    await writeFile(
      recipe,
      [
        'id: "{{ row.id }}"',
        "jobs:",
        "  - name: edit",
        "    model: openai/gpt-image-2/edit",
        "    quality: low",
        "    image_urls: '{{ images | join: \"|\" }}'",
        "    prompt: 'Ship to {{ row.shipping.country | default: \"anywhere\" }}, {{ row.colour }}'",
      ].join("\n"),
    );
    const all = await items(XML, recipe);
    expect(all).toHaveLength(3);
    const first = all[0]!;
    expect(first.ok).toBe(false);
    if (first.ok) return;
    expect(first.problems.map((p) => p.message)).toEqual([
      `${XML} line 7 (job edit): prompt: the template refers to "colour", which the feed does not have ` +
        '— did you mean "color"? (columns: id, title, description, link, image_link, additional_image_link, ' +
        "brand, color, size, gtin, item_group_id, shipping); if only some items have it, write " +
        '{{ row.colour | default: "" }} or test it with {% if row.colour %}',
    ]);

    const fixed = path.join(dir, "fixed.recipe.yaml");
    await writeFile(
      fixed,
      [
        'id: "{{ row.id }}"',
        "jobs:",
        "  - name: edit",
        "    model: openai/gpt-image-2/edit",
        "    quality: low",
        "    image_urls: '{{ images | join: \"|\" }}'",
        "    prompt: 'Ship to {{ row.shipping.country | default: \"anywhere\" }}'",
      ].join("\n"),
    );
    const rows = rowsOf(await items(XML, fixed));
    expect(rows[0]?.input).toMatchObject({
      prompt: "Ship to US",
      image_urls: [
        "https://cdn.northwind.example/tee-navy.jpg",
        "https://cdn.northwind.example/tee-back.jpg",
        "https://cdn.northwind.example/tee-detail.jpg",
      ],
    });
    expect(rows[1]?.input).toMatchObject({
      prompt: "Ship to anywhere",
      image_urls: ["https://cdn.northwind.example/beanie.jpg"],
    });
  });
});
