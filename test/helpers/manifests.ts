/** Manifests written for a test, and their prices computed by hand (independently of src/pricing). */
import { mkdtemp, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

export async function tempDir(prefix = "rfb-test-"): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), prefix));
}

/** runflow-api.md's prices in micro-dollars, typed out again so the tests check src/pricing rather than reuse it. */
const HAND_PRICES = {
  perImage: { low: 9_000, medium: 34_000, high: 133_000 } as Record<string, number>,
  "runflow/tag-removal": 140_000,
  "runflow/product-isolation": 270_000,
};

export interface TestRow {
  id: string;
  model: string;
  prompt?: string;
  quality?: string;
  num_images?: number;
  image_urls?: string[];
  image_url?: string;
  aspect_ratio?: string;
  resolution?: string;
}

export function handPrice(row: TestRow): number {
  if (row.model === "runflow/tag-removal") return HAND_PRICES["runflow/tag-removal"];
  if (row.model === "runflow/product-isolation") return HAND_PRICES["runflow/product-isolation"];
  return (HAND_PRICES.perImage[row.quality ?? "high"] as number) * (row.num_images ?? 1);
}

export function expectedImages(row: TestRow): number {
  return row.model.startsWith("runflow/") ? 1 : (row.num_images ?? 1);
}

export async function writeJsonl(
  dir: string,
  rows: readonly TestRow[],
  name = "manifest.jsonl",
): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, rows.map((r) => JSON.stringify(r)).join("\n") + "\n");
  return file;
}

/** n generation rows at one tier: the simplest manifest whose cost is n × tier price. */
export function generations(n: number, quality = "low", prefix = "g"): TestRow[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `${prefix}${i}`,
    model: "openai/gpt-image-2",
    prompt: `product shot ${i}`,
    quality,
  }));
}

/** A manifest mixing every model, every tier and several num_images. */
export function mixedRows(): TestRow[] {
  const rows: TestRow[] = [];
  const tiers = ["low", "medium", "high"];
  for (const [i, quality] of tiers.entries()) {
    rows.push({
      id: `gen-${quality}`,
      model: "openai/gpt-image-2",
      prompt: `a ${quality} chair`,
      quality,
      num_images: i + 1,
    });
    rows.push({
      id: `edit-${quality}`,
      model: "openai/gpt-image-2/edit",
      prompt: "make it blue",
      quality,
      num_images: 1 + ((i + 1) % 3),
      image_urls: ["https://example.com/a.png", "https://example.com/b.png"],
    });
    rows.push({
      id: `g15-${quality}`,
      model: "openai/gpt-image-1.5",
      prompt: `a ${quality} lamp`,
      quality,
      num_images: 4 - i,
    });
  }
  rows.push({ id: "tags-1", model: "runflow/tag-removal", image_url: "https://example.com/tagged.png" });
  rows.push({
    id: "iso-1",
    model: "runflow/product-isolation",
    image_url: "https://example.com/shoe.png",
    aspect_ratio: "1:1",
    resolution: "2K",
  });
  rows.push({
    id: "iso/../2",
    model: "runflow/product-isolation",
    image_url: "https://example.com/bag.png",
    aspect_ratio: "4:5",
    resolution: "1K",
  });
  return rows;
}
