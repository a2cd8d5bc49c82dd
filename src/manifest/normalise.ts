/**
 * Turns a row's cells (CSV strings, or JSON values) into a model's `input`, typed as the API
 * wants it: `num_images` a number, `image_urls` a list (`|`-separated in CSV), `1024x768` an
 * explicit `{width, height}` for the gpt-image-2 models (gpt-image-1.5 takes the string),
 * `sync_mode` a boolean, tag-removal's `aspect_ratio` under `config`. Values that do not convert
 * are passed on unchanged so the model's schema names them in its problem. Pure.
 */
import { MODEL_IDS, type ModelId } from "../core/models.js";
import { MODEL_CHOICES } from "./columns.js";

/** Value → its canonical spelling, under both its own and its lower-case spelling. */
function spellings(values: readonly string[]): ReadonlyMap<string, string> {
  const map = new Map<string, string>();
  for (const value of values) map.set(value.toLowerCase(), value).set(value, value);
  return map;
}

/** Per model and column, how each allowed value may be written: `HIGH`, `High` → `high`; `4k` → `4K`. */
const CHOICE_SPELLINGS: Readonly<Record<string, Readonly<Record<string, ReadonlyMap<string, string>>>>> =
  Object.fromEntries(
    MODEL_IDS.map((model) => [
      model,
      Object.fromEntries(
        Object.entries(MODEL_CHOICES[model]).map(([column, values]) => [column, spellings(values)]),
      ),
    ]),
  );

const MODEL_SPELLINGS = spellings(MODEL_IDS);

/** A model id written in any case (`OpenAI/GPT-Image-2`), in Runflow's spelling; other values unchanged. */
export function canonicalModel(value: unknown): unknown {
  if (typeof value !== "string") return value;
  const trimmed = value.trim();
  return MODEL_SPELLINGS.get(trimmed) ?? MODEL_SPELLINGS.get(trimmed.toLowerCase()) ?? trimmed;
}

/** One of a column's fixed values written in any case, in Runflow's spelling; anything else trimmed. */
function canonicalChoice(model: ModelId, column: string, value: string): string {
  const trimmed = value.trim();
  const known = CHOICE_SPELLINGS[model]?.[column];
  if (!known) return trimmed;
  return known.get(trimmed) ?? known.get(trimmed.toLowerCase()) ?? trimmed;
}

/** Empty CSV cells, JSON null and blank strings all mean "not given". */
export function isBlank(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === "string" && value.trim() === "");
}

const INTEGER = /^\s*[+-]?\d+\s*$/;
const NUMBER = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/;
const SIZE = /^\s*(\d+)\s*[xX×]\s*(\d+)\s*$/;
const TRUE = new Set(["true", "yes", "1"]);
const FALSE = new Set(["false", "no", "0"]);

function toNumber(value: unknown): unknown {
  if (typeof value !== "string") return value;
  return INTEGER.test(value) || NUMBER.test(value) ? Number(value) : value.trim();
}

function toUrlList(value: unknown): unknown {
  if (typeof value === "string") {
    return value
      .split("|")
      .map((url) => url.trim())
      .filter((url) => url !== "");
  }
  if (Array.isArray(value)) return value.map((url: unknown) => (typeof url === "string" ? url.trim() : url));
  return value;
}

function toImageSize(model: ModelId, value: unknown): unknown {
  if (typeof value !== "string") return value;
  const trimmed = canonicalChoice(model, "image_size", value);
  if (model === "openai/gpt-image-1.5") return trimmed;
  const match = SIZE.exec(trimmed);
  return match ? { width: Number(match[1]), height: Number(match[2]) } : trimmed;
}

function toBoolean(value: unknown): unknown {
  if (typeof value !== "string") return value;
  const lower = value.trim().toLowerCase();
  if (TRUE.has(lower)) return true;
  if (FALSE.has(lower)) return false;
  return value.trim();
}

/** One column's value as the model's input wants it (prompts are kept exactly as written). */
export function convertInput(model: ModelId, column: string, value: unknown): unknown {
  switch (column) {
    case "num_images":
      return toNumber(value);
    case "image_urls":
      return toUrlList(value);
    case "image_size":
      return toImageSize(model, value);
    case "sync_mode":
      return toBoolean(value);
    case "prompt":
      return value;
    default:
      return typeof value === "string" ? canonicalChoice(model, column, value) : value;
  }
}

/** Places a converted value in `input`; tag-removal's aspect_ratio lives under `config`. */
export function placeInput(
  input: Record<string, unknown>,
  model: ModelId,
  column: string,
  value: unknown,
): void {
  if (column === "aspect_ratio" && model === "runflow/tag-removal") {
    const config = input.config;
    input.config =
      config !== null && typeof config === "object" && !Array.isArray(config)
        ? { ...config, aspect_ratio: value }
        : { aspect_ratio: value };
    return;
  }
  input[column] = value;
}

/** The column a person wrote, for an input path a schema reported: `config.aspect_ratio` → `aspect_ratio`. */
export function displayField(model: ModelId, path: string): string {
  if (model === "runflow/tag-removal" && path === "config.aspect_ratio") return "aspect_ratio";
  return path.replace(/\.(\d+)(?=\.|$)/g, (_, index: string) => ` item ${Number(index) + 1}`);
}
