/**
 * What a run produces, read from its (already validated) input: how many images, in which
 * format, at which size. Pure.
 */
import { MODELS, type ModelId } from "../core/models.js";

export type ImageFormat = "png" | "jpeg" | "webp";

export interface OutputSpec {
  readonly count: number;
  readonly format: ImageFormat;
  readonly width: number;
  readonly height: number;
}

export const CONTENT_TYPES: Readonly<Record<ImageFormat, string>> = {
  png: "image/png",
  jpeg: "image/jpeg",
  webp: "image/webp",
};
export const EXTENSIONS: Readonly<Record<ImageFormat, string>> = { png: "png", jpeg: "jpg", webp: "webp" };

const PRESETS: Readonly<Record<string, readonly [number, number]>> = {
  square_hd: [1024, 1024],
  square: [512, 512],
  portrait_4_3: [768, 1024],
  portrait_16_9: [576, 1024],
  landscape_4_3: [1024, 768],
  landscape_16_9: [1024, 576],
  auto: [1024, 1024],
};
const RESOLUTIONS: Readonly<Record<string, number>> = { "1K": 1024, "2K": 2048, "4K": 4096 };

/** Long side `long`, the other side from a "W:H" ratio, rounded to a multiple of 16. */
function fromRatio(ratio: unknown, long: number): [number, number] {
  const match = typeof ratio === "string" ? /^(\d+):(\d+)$/.exec(ratio) : null;
  const w = Number(match?.[1] ?? 1);
  const h = Number(match?.[2] ?? 1);
  if (!(w > 0 && h > 0)) return [long, long];
  const short = (n: number) => Math.max(16, Math.round((long * n) / Math.max(w, h) / 16) * 16);
  return w >= h ? [long, short(h)] : [short(w), long];
}

function sizeOf(model: ModelId, input: Readonly<Record<string, unknown>>): [number, number] {
  switch (model) {
    case "runflow/product-isolation":
      return fromRatio(input.aspect_ratio, RESOLUTIONS[String(input.resolution)] ?? 1024);
    case "runflow/tag-removal": {
      const config = input.config as { aspect_ratio?: unknown } | undefined;
      return fromRatio(config?.aspect_ratio, 1024);
    }
    case "openai/gpt-image-1.5": {
      const match = typeof input.image_size === "string" ? /^(\d+)x(\d+)$/.exec(input.image_size) : null;
      return match ? [Number(match[1]), Number(match[2])] : [1024, 1024];
    }
    default: {
      const size = input.image_size ?? (model === "openai/gpt-image-2/edit" ? "auto" : "landscape_4_3");
      if (typeof size === "string") return [...(PRESETS[size] ?? [1024, 1024])] as [number, number];
      const explicit = size as { width?: unknown; height?: unknown };
      return [Number(explicit.width) || 1024, Number(explicit.height) || 1024];
    }
  }
}

export function outputSpecOf(model: ModelId, input: Readonly<Record<string, unknown>>): OutputSpec {
  const [width, height] = sizeOf(model, input);
  const perImage = MODELS[model].billing === "image";
  const count = perImage && typeof input.num_images === "number" ? input.num_images : 1;
  const f = input.output_format;
  const format: ImageFormat = f === "jpeg" || f === "webp" ? f : "png";
  return { count, format, width, height };
}
