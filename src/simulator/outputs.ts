/**
 * Output records (the chosen shape of docs/runflow-api.md: outputs[], image_urls[], seed, timing,
 * nsfw_detected) with freshly signed URLs, and the image bytes behind them: one colour per
 * image, derived from the seed, the run's sequence number and the output index.
 */
import { CONTENT_TYPES, EXTENSIONS, type ImageFormat } from "./dimensions.js";
import { encodeJpeg } from "./image-jpeg.js";
import { encodePng } from "./image-png.js";
import { encodeWebp } from "./image-webp.js";
import type { UrlSigner } from "./presign.js";
import { hash32 } from "./prng.js";
import type { SimRun } from "./run-store.js";

function outputPath(run: SimRun, index: number): string {
  return `/outputs/${run.id}/${index}.${EXTENSIONS[run.output.format]}`;
}

/** The `output` of a succeeded run, URLs signed now against `baseUrl`. */
export function outputRecord(
  run: SimRun,
  baseUrl: string,
  signer: UrlSigner,
  now: number,
  ttlSeconds: number,
): Record<string, unknown> {
  const { count, format, width, height } = run.output;
  const urls: string[] = [];
  const outputs: Array<Record<string, unknown>> = [];
  for (let i = 0; i < count; i++) {
    const url = baseUrl + signer.sign(outputPath(run, i), now, ttlSeconds);
    urls.push(url);
    outputs.push({ type: "image", url, content_type: CONTENT_TYPES[format], width, height });
  }
  return {
    outputs,
    image_urls: urls,
    seed: run.seed,
    timing: { queue_ms: run.startMs - run.createdMs, inference_ms: run.endMs - run.startMs },
    nsfw_detected: false,
  };
}

/** Parses `/outputs/{id}/{index}.{ext}`. */
export function parseOutputPath(path: string): { runId: string; index: number; ext: string } | null {
  const match = /^\/outputs\/([0-9a-f-]{36})\/(\d{1,2})\.(png|jpg|webp)$/.exec(path);
  if (!match) return null;
  return { runId: match[1] as string, index: Number(match[2]), ext: match[3] as string };
}

function colourOf(seed: number, run: SimRun, index: number): [number, number, number] {
  const h = hash32(`${seed}:${run.seq}:${run.model}`);
  // Blue steps by 64 per index, so the outputs of one run always differ.
  return [(h >>> 16) & 255, (h >>> 8) & 255, ((h & 255) + index * 64) & 255];
}

export function imageBytes(seed: number, run: SimRun, index: number): { body: Buffer; contentType: string } {
  const { format, width, height } = run.output;
  const rgb = colourOf(seed, run, index);
  const comment = `runflow-simulator run=${run.id} output=${index}`;
  const body = encode(format, width, height, rgb, comment);
  return { body, contentType: CONTENT_TYPES[format] };
}

function encode(
  format: ImageFormat,
  width: number,
  height: number,
  rgb: [number, number, number],
  comment: string,
): Buffer {
  if (format === "jpeg") return encodeJpeg(width, height, rgb, comment);
  if (format === "webp") return encodeWebp(width, height, rgb);
  return encodePng(width, height, rgb, comment);
}
