import { describe, expect, it } from "vitest";
import type { StoredResult } from "../../ledger/stored-result.js";
import type { StoredRow } from "../../ledger/stored-row.js";
import { DEFAULT_INSTRUCTION, finalRowOf, type FinalOptions, type PickedImage } from "./final-rows.js";

const row = (fields: Partial<StoredRow> = {}): StoredRow => ({
  seq: 0,
  model: "openai/gpt-image-2",
  quality: "low",
  images: 3,
  input: { prompt: "a chair", quality: "low", num_images: 3, image_size: "square_hd", output_format: "jpeg" },
  metadata: { sku: "C-1" },
  estimate_micros: 27_000,
  content_sha: "c",
  ...fields,
});
const result = (fields: Partial<StoredResult> = {}): StoredResult => ({
  id: "chair",
  seq: 0,
  model: "openai/gpt-image-2",
  quality: "low",
  status: "succeeded",
  run_id: "run-1",
  images: ["images/chair-1.jpg", "images/chair-2.jpg", "images/chair-3.jpg"],
  estimated_micros: 27_000,
  cost_micros: 27_000,
  error: null,
  finished_at: "2026-12-01T00:00:00.000Z",
  ...fields,
});
const options: FinalOptions = {
  draftBatch: "drafts",
  quality: "high",
  model: undefined,
  as: "edit",
  instruction: DEFAULT_INSTRUCTION,
};
const picked = (fields: Partial<PickedImage> = {}): PickedImage => ({
  id: "chair",
  image: 2,
  row: row(),
  result: result(),
  ...fields,
});

describe("a final row from a picked draft image", () => {
  it("edits: GPT Image 2 Edit at the final quality, one image, the prompt and the instruction, lineage", () => {
    expect(finalRowOf(picked(), 4, options)).toEqual({
      ok: true,
      row: {
        key: "chair-2",
        model: "openai/gpt-image-2/edit",
        quality: "high",
        images: 1,
        // No URL is stored: the worker puts the draft image's fresh URL first in image_urls.
        input: {
          prompt: `a chair\n\n${DEFAULT_INSTRUCTION}`,
          quality: "high",
          num_images: 1,
          image_size: "square_hd",
          output_format: "jpeg",
        },
        metadata: { sku: "C-1" },
        location: { file: "picks of batch drafts", index: 4 },
        draft: { batch: "drafts", row: "chair", image: 2, run_id: "run-1", reference: true },
      },
    });
  });

  it("keeps a draft edit's own reference images after the picked one, and names a one-image row by its id", () => {
    const edit = row({
      model: "openai/gpt-image-2/edit",
      images: 1,
      input: { prompt: "make it blue", quality: "low", image_urls: ["https://cdn.example.com/p.png"] },
    });
    const made = finalRowOf(picked({ image: 1, row: edit }), 0, options);
    expect(made.ok && made.row.key).toBe("chair");
    expect(made.ok && made.row.input.image_urls).toEqual(["https://cdn.example.com/p.png"]);
  });

  it("samples afresh: the draft's own inputs at the final quality, one image", () => {
    const made = finalRowOf(picked(), 0, { ...options, as: "fresh" });
    expect(made.ok && made.row).toMatchObject({
      model: "openai/gpt-image-2",
      input: { prompt: "a chair", quality: "high", num_images: 1, image_size: "square_hd" },
      draft: { reference: false },
    });
  });

  it("refuses what cannot be promoted, saying which picked image and why", () => {
    const messages = (item: ReturnType<typeof finalRowOf>) =>
      item.ok ? [] : item.problems.map((p) => p.message);
    expect(
      messages(finalRowOf(picked({ result: result({ status: "failed", run_id: null }) }), 1, options)),
    ).toEqual(["picks of batch drafts index 1: chair image 2: the draft has no succeeded row by that id"]);
    const tags = row({
      model: "runflow/tag-removal",
      quality: null,
      images: 1,
      input: { image_url: "https://x/a.png" },
    });
    expect(messages(finalRowOf(picked({ row: tags }), 2, options))).toEqual([
      "picks of batch drafts index 2: chair image 2: runflow/tag-removal has no quality tiers to promote to",
    ]);
    expect(messages(finalRowOf(picked(), 3, { ...options, model: "openai/gpt-image-1.5" }))).toEqual([
      "picks of batch drafts index 3: chair image 2: --as edit needs openai/gpt-image-2/edit, which takes the draft as reference",
    ]);
    // gpt-image-1.5 has no square_hd: a fresh sample on it is refused by the model's own rules.
    const fresh = finalRowOf(picked(), 5, { ...options, as: "fresh", model: "openai/gpt-image-1.5" });
    expect(messages(fresh)[0]).toMatch(/^picks of batch drafts index 5: chair image 2: image_size must be/);
  });
});
