import { describe, expect, it } from "vitest";
import { outputSpecOf } from "./dimensions.js";

describe("output spec", () => {
  it("derives image count, format and size from the input", () => {
    const edit = { prompt: "x", image_urls: [], num_images: 4, output_format: "webp" };
    expect(outputSpecOf("openai/gpt-image-2", { prompt: "x" })).toEqual({
      count: 1,
      format: "png",
      width: 1024,
      height: 768,
    });
    expect(outputSpecOf("openai/gpt-image-2/edit", edit)).toEqual({
      count: 4,
      format: "webp",
      width: 1024,
      height: 1024,
    });
    const isolation = outputSpecOf("runflow/product-isolation", { aspect_ratio: "9:16", resolution: "4K" });
    expect(isolation).toEqual({ count: 1, format: "png", width: 2304, height: 4096 });
    const tagRemoval = outputSpecOf("runflow/tag-removal", { image_url: "https://x" });
    expect(tagRemoval).toMatchObject({ count: 1, width: 1024, height: 1024 });
  });
});
