/** Feeds and recipes written for tests: a Shopify export as Excel on Windows saves it, a Merchant Center TSV. */
import { writeFile } from "node:fs/promises";
import path from "node:path";
import iconv from "iconv-lite";

const SHOPIFY_HEADER = [
  "Handle",
  "Title",
  "Body (HTML)",
  "Vendor",
  "Type",
  "Tags",
  "Option1 Name",
  "Option1 Value",
  "Variant SKU",
  "Variant Price",
  "Variant Image",
  "Image Src",
  "Image Position",
  "Google Shopping / Gender",
  "Status",
];

const CDN = "https://cdn.example.com/";

/**
 * Three products: a tee with three variants (continuation rows with an empty Title) and an
 * image-only row; a one-variant beanie; a draft shirt. HTML bodies with quoted newlines, commas
 * and quotes; accents and typographic quotes that only Windows-1252 encodes this way.
 */
function shopifyRows(): string[][] {
  return [
    [
      "creme-tee",
      "Café Crème Tee",
      '<p>A heavyweight tee in <strong>organic cotton</strong>.</p>\r\n<ul>\r\n<li>Relaxed fit, "boxy" cut</li>\r\n<li>Garment-dyed &amp; pre-washed — it’s soft</li>\r\n</ul>',
      "Northwind",
      "T-Shirt",
      "cotton, summer",
      "Colour",
      "Navy",
      "TEE-NAVY",
      "28.00",
      `${CDN}tee-navy.jpg`,
      `${CDN}tee-navy.jpg`,
      "1",
      "unisex",
      "active",
    ],
    [
      "creme-tee",
      "",
      "",
      "",
      "",
      "",
      "",
      "Sand",
      "TEE-SAND",
      "28.00",
      `${CDN}tee-sand.jpg`,
      `${CDN}tee-back.jpg`,
      "2",
      "",
      "",
    ],
    ["creme-tee", "", "", "", "", "", "", "Crème", "TEE-CREME", "30.00", "", "", "", "", ""],
    ["creme-tee", "", "", "", "", "", "", "", "", "", "", `${CDN}tee-detail.jpg`, "3", "", ""],
    [
      "merino-beanie",
      "Merino Beanie",
      "<p>Soft <em>merino</em> rib knit.<br>One size, €35.</p>",
      "Northwind",
      "Hat",
      "merino, winter",
      "Title",
      "Default Title",
      "BEANIE",
      "35.00",
      "",
      `${CDN}beanie.jpg`,
      "1",
      "unisex",
      "active",
    ],
    [
      "linen-shirt",
      "Linen Shirt",
      "<p>Still in sampling.</p>",
      "Northwind",
      "Shirt",
      "linen",
      "Size",
      "M",
      "LINEN-M",
      "59.00",
      "",
      `${CDN}linen.jpg`,
      "1",
      "male",
      "draft",
    ],
    ["linen-shirt", "", "", "", "", "", "", "L", "LINEN-L", "59.00", "", "", "", "", ""],
  ];
}

function csvCell(cell: string): string {
  return /[",\r\n]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell;
}

/** The export as Excel on Windows saves it: CRLF, Windows-1252. */
export async function writeShopifyExport(dir: string, name = "products_export.csv"): Promise<string> {
  const text = [SHOPIFY_HEADER, ...shopifyRows()].map((row) => row.map(csvCell).join(",")).join("\r\n");
  const file = path.join(dir, name);
  await writeFile(file, iconv.encode(`${text}\r\n`, "windows-1252"));
  return file;
}

/** A recipe with two jobs per variant (or product). */
export function shopifyRecipe(
  options: { rows?: "product" | "variant"; encoding?: boolean; prompt?: string } = {},
): string {
  const prompt =
    options.prompt ??
    'Studio photo of the {{ row.Title }} in {{ row["Option1 Value"] | downcase }}. {{ row["Body (HTML)"] | html_to_text }}';
  return [
    ...(options.encoding === false ? [] : ["feed:", "  encoding: windows-1252"]),
    `rows: ${options.rows ?? "variant"}`,
    `id: '{{ row["Variant SKU"] | default: row.Handle }}'`,
    `where: 'row.Status == "active"'`,
    "metadata:",
    '  handle: "{{ row.Handle }}"',
    "jobs:",
    "  - name: hero",
    "    model: openai/gpt-image-2/edit",
    "    quality: medium",
    "    image_urls:",
    `      - '{{ row["Variant Image"] | default: product["Image Src"] }}'`,
    `    prompt: ${JSON.stringify(prompt)}`,
    "  - name: lifestyle",
    "    model: openai/gpt-image-2",
    "    quality: low",
    "    num_images: 2",
    "    prompt: >-",
    "      A person wearing the {{ row.Title | downcase }} outdoors,",
    "      {{ row.Tags | split: ', ' | first }} mood",
  ].join("\n");
}

const MERCHANT_TSV_HEADER = [
  "id",
  "title",
  "description",
  "link",
  "image_link",
  "additional_image_link",
  "brand",
  "color",
  "size",
  "gtin",
  "item_group_id",
];

/** The items of jobs/merchant-feed.xml as Merchant Center's TSV (tab-separated, no quoting needed). */
export async function writeMerchantTsv(dir: string): Promise<string> {
  const rows = [
    MERCHANT_TSV_HEADER,
    [
      "NW-TEE-NAVY-M",
      "Organic Cotton Tee - Navy / M",
      "A heavyweight tee in <b>organic cotton</b>. Relaxed fit & garment-dyed.",
      "https://northwind.example/products/organic-cotton-tee?variant=2",
      "https://cdn.northwind.example/tee-navy.jpg",
      "https://cdn.northwind.example/tee-back.jpg",
      "Northwind",
      "Navy",
      "M",
      "04012345678901",
      "organic-cotton-tee",
    ],
    [
      "NW-BEANIE",
      "Merino Beanie",
      "Soft merino rib knit. One size.",
      "https://northwind.example/products/merino-beanie",
      "https://cdn.northwind.example/beanie.jpg",
      "",
      "Northwind",
      "",
      "",
      "04012345678902",
      "",
    ],
    [
      "NW-LINEN-L",
      "Linen Shirt - L",
      "Breezy linen.",
      "https://northwind.example/products/linen-shirt",
      "https://cdn.northwind.example/linen.jpg",
      "",
      "Northwind",
      "Sand",
      "L",
      "",
      "",
    ],
  ];
  const file = path.join(dir, "merchant.tsv");
  await writeFile(file, `${rows.map((row) => row.join("\t")).join("\n")}\n`);
  return file;
}
