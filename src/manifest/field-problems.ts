/**
 * A model input rule a row breaks (core/model-inputs.ts), worded for the person who wrote the
 * row: the column as they named it, what was expected, and how to fix it — a local file given
 * where Runflow needs a URL, an input the model does not take, a required one missing. Pure.
 */
import type { FieldProblem } from "../core/model-inputs.js";
import type { ModelId } from "../core/models.js";
import { MODEL_CHOICES } from "./columns.js";
import { displayField } from "./normalise.js";
import { makeProblem } from "./problems.js";
import type { Problem, RowLocation } from "./types.js";

const IMAGE_FIELDS = new Set(["image_url", "image_urls", "mask_url"]);

/** `./raw/boot.jpg`, `/data/a.png`, `C:\\shots\\a.png`, `file:///…`, `boot.jpg`: a file on this machine, not a URL. */
function looksLikeLocalPath(value: string): boolean {
  const text = value.trim();
  if (/^file:/i.test(text) || /^[a-z]:[\\/]/i.test(text) || /^(\.{1,2}[\\/]|[\\/]|~[\\/]?)/.test(text))
    return true;
  return !/^[a-z][a-z0-9+.-]*:/i.test(text) && /\.(jpe?g|png|webp|gif|tiff?|bmp|heic|avif)$/i.test(text);
}

export function fieldProblem(location: RowLocation, model: ModelId, problem: FieldProblem): Problem {
  const field = displayField(model, problem.field);
  if (problem.kind === "missing") {
    const choices = MODEL_CHOICES[model][problem.field];
    const give = choices ? `; give one of ${choices.join(", ")}` : "";
    return makeProblem(
      location,
      field,
      choices ? `one of ${choices.join(", ")}` : "a value",
      problem.found,
      `${field} is required by ${model} but is missing${give}`,
    );
  }
  const column = problem.field.split(".")[0] ?? "";
  if (IMAGE_FIELDS.has(column) && typeof problem.found === "string" && looksLikeLocalPath(problem.found)) {
    const message =
      `${field} is a local file; Runflow fetches images by URL: ` +
      `upload it (e.g. to your CDN or a bucket) and give its https URL (got ${JSON.stringify(problem.found)})`;
    return makeProblem(location, field, problem.expected, problem.found, message);
  }
  if (problem.kind === "unknown") {
    return makeProblem(
      location,
      field,
      "nothing",
      problem.found,
      `${field} is not an input of ${model}, got ${JSON.stringify(problem.found)}; leave it empty for this model`,
    );
  }
  return makeProblem(location, field, problem.expected, problem.found);
}
