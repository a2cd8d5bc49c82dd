/**
 * The Runflow image models this tool drives, and what the rest of the code needs to know about
 * each: how it is billed, its default tier, and how long a run typically takes (the worker's
 * first poll waits about that long). Pure data; see docs/runflow-api.md.
 */
export const MODEL_IDS = [
  "openai/gpt-image-2",
  "openai/gpt-image-2/edit",
  "openai/gpt-image-1.5",
  "runflow/tag-removal",
  "runflow/product-isolation",
] as const;
export type ModelId = (typeof MODEL_IDS)[number];

export const QUALITIES = ["low", "medium", "high"] as const;
export type Quality = (typeof QUALITIES)[number];

type BillingUnit = "image" | "request";

export interface ModelInfo {
  readonly id: ModelId;
  /** "image": tier price × images produced; "request": one price per successful run. */
  readonly billing: BillingUnit;
  /** Tier used when neither the row, the command line nor the manifest names one. */
  readonly defaultQuality: Quality | null;
  /** Typical create-to-terminal time; polling starts from here. */
  readonly typicalDurationMs: number;
  /** Edits and image-in models go to the edit queue, which has its own concurrency. */
  readonly queue: "generate" | "edit";
}

export const MODELS: Readonly<Record<ModelId, ModelInfo>> = {
  "openai/gpt-image-2": {
    id: "openai/gpt-image-2",
    billing: "image",
    defaultQuality: "high",
    typicalDurationMs: 20_000,
    queue: "generate",
  },
  "openai/gpt-image-2/edit": {
    id: "openai/gpt-image-2/edit",
    billing: "image",
    defaultQuality: "high",
    typicalDurationMs: 25_000,
    queue: "edit",
  },
  "openai/gpt-image-1.5": {
    id: "openai/gpt-image-1.5",
    billing: "image",
    defaultQuality: "high",
    typicalDurationMs: 20_000,
    queue: "generate",
  },
  "runflow/tag-removal": {
    id: "runflow/tag-removal",
    billing: "request",
    defaultQuality: null,
    typicalDurationMs: 15_000,
    queue: "edit",
  },
  "runflow/product-isolation": {
    id: "runflow/product-isolation",
    billing: "request",
    defaultQuality: null,
    typicalDurationMs: 15_000,
    queue: "edit",
  },
};

export function isModelId(value: unknown): value is ModelId {
  return typeof value === "string" && (MODEL_IDS as readonly string[]).includes(value);
}

export function isQuality(value: unknown): value is Quality {
  return typeof value === "string" && (QUALITIES as readonly string[]).includes(value);
}
