/**
 * A final row from one picked draft image (issue 21, `promote`): what it asks Runflow for, under
 * which key, with its lineage. Pure.
 *
 * - `edit` (the default): GPT Image 2 Edit at the final quality, one image, the draft's prompt
 *   followed by the instruction to keep the picked image's composition; the picked image is the
 *   first of `image_urls` (its presigned URL is fetched from the draft's run right before each
 *   create, so the stored input holds only the draft's own reference images, if it had any);
 * - `fresh`: the draft's own inputs at the final quality, one image — a new sample, not the same
 *   picture.
 * The key is the draft row's id, or `<id>-<n>` when the draft row had several takes.
 */
import type { DraftRef } from "../../core/draft-ref.js";
import { checkModelInput } from "../../core/model-inputs.js";
import { MODELS, type ModelId, type Quality } from "../../core/models.js";
import type { StoredResult } from "../../ledger/stored-result.js";
import type { StoredRow } from "../../ledger/stored-row.js";
import { makeProblem } from "../../manifest/problems.js";
import type { JobRow, ManifestItem, RowLocation } from "../../manifest/types.js";

export type PromoteAs = "edit" | "fresh";

/** The model an edit final runs on: the one per-image model that takes reference images. */
const EDIT_MODEL: ModelId = "openai/gpt-image-2/edit";

export const DEFAULT_INSTRUCTION =
  "Keep the composition, subject, framing, colours and lighting of the reference image exactly; " +
  "render it as a finished, high-quality image.";

export interface FinalOptions {
  readonly draftBatch: string;
  readonly quality: Quality;
  /** The final's model (default: GPT Image 2 Edit for `edit`, the draft's own for `fresh`). */
  readonly model: ModelId | undefined;
  readonly as: PromoteAs;
  readonly instruction: string;
}

/** One picked image of the draft and what the draft's ledger holds of its row. */
export interface PickedImage {
  readonly id: string;
  readonly image: number;
  readonly row: StoredRow | null;
  readonly result: StoredResult | null;
}

/** Stands in for the draft image's URL while the input is checked (never stored or sent). */
const CHECKED_URL = "https://draft-image.invalid/picked.png";

const fieldsKept = (input: Readonly<Record<string, unknown>>, names: readonly string[]) =>
  Object.fromEntries(names.filter((n) => input[n] !== undefined).map((n) => [n, input[n]]));

function finalInput(row: StoredRow, o: FinalOptions): Record<string, unknown> {
  if (o.as === "fresh") return { ...row.input, quality: o.quality, num_images: 1 };
  const prompt = typeof row.input.prompt === "string" ? row.input.prompt : "";
  const own = Array.isArray(row.input.image_urls) ? (row.input.image_urls as unknown[]) : [];
  return {
    prompt: prompt === "" ? o.instruction : `${prompt}\n\n${o.instruction}`,
    quality: o.quality,
    num_images: 1,
    ...fieldsKept(row.input, ["image_size", "output_format"]),
    ...(own.length > 0 ? { image_urls: own } : {}),
  };
}

/** The final row of one picked image, or the problems that keep it from being one. */
export function finalRowOf(picked: PickedImage, seq: number, o: FinalOptions): ManifestItem {
  const location: RowLocation = { file: `picks of batch ${o.draftBatch}`, index: seq };
  const what = `${picked.id} image ${picked.image}`;
  const fail = (field: string, expected: string, found: unknown, message: string): ManifestItem => ({
    ok: false,
    problems: [makeProblem(location, field, expected, found, `${what}: ${message}`)],
    location,
  });
  const { row, result } = picked;
  if (!row || !result || result.status !== "succeeded" || !result.run_id)
    return fail("id", "a succeeded row of the draft", picked.id, "the draft has no succeeded row by that id");
  if (MODELS[row.model].billing !== "image")
    return fail("model", "a per-image model", row.model, `${row.model} has no quality tiers to promote to`);
  const model = o.model ?? (o.as === "edit" ? EDIT_MODEL : row.model);
  if (o.as === "edit" && model !== EDIT_MODEL)
    return fail(
      "model",
      EDIT_MODEL,
      model,
      `--as edit needs ${EDIT_MODEL}, which takes the draft as reference`,
    );
  const input = finalInput(row, o);
  const checked =
    o.as === "edit"
      ? { ...input, image_urls: [CHECKED_URL, ...((input.image_urls as unknown[]) ?? [])] }
      : input;
  const problems = checkModelInput(model, checked).map((p) =>
    makeProblem(
      location,
      p.field,
      p.expected,
      p.found,
      `${what}: ${p.field} must be ${p.expected} for ${model}`,
    ),
  );
  if (problems.length > 0) return { ok: false, problems, location };
  const draft: DraftRef = {
    batch: o.draftBatch,
    row: picked.id,
    image: picked.image,
    run_id: result.run_id,
    reference: o.as === "edit",
  };
  const final: JobRow = {
    key: row.images > 1 ? `${picked.id}-${picked.image}` : picked.id,
    model,
    quality: o.quality,
    images: 1,
    input,
    metadata: row.metadata,
    location,
    draft,
  };
  return { ok: true, row: final };
}
