/**
 * One report line per row, from a recorded result or, for a row not yet finished, from its
 * manifest entry. Pure.
 *
 * results.csv has the first nine columns it always had, then the richer ones, then one
 * `metadata.<key>` column per key of the batch (the union, sorted), so a CSV header is known
 * before the first row is written.
 */
import { z } from "zod";
import { formatUsd, type Micros } from "../core/money.js";
import type { DraftRef } from "../core/draft-ref.js";
import type { StoredResult } from "../ledger/stored-result.js";

/** `removed`: recorded for a row the manifest no longer has (its files stay). */
const LINE_STATUSES = ["succeeded", "failed", "pending", "held", "removed", "canceled"] as const;

const nullableText = z.string().nullable();

/**
 * A line of results.jsonl (results.csv flattens it): the schema is the type. A re-run reads the
 * lines back when Redis lost the batch (batch/open/directory-evidence.ts).
 */
export const resultLineSchema = z.object({
  id: z.string(),
  model: z.string(),
  quality: nullableText,
  status: z.enum(LINE_STATUSES),
  run_id: nullableText,
  images: z.array(z.string()).readonly(),
  estimated_usd: z.string(),
  cost_usd: nullableText,
  /** cost ÷ images, rounded half-up to the micro-dollar; null without images or cost. */
  cost_per_image_usd: nullableText,
  error: nullableText,
  prompt: nullableText,
  metadata: z.record(z.string(), z.string()).nullable(),
  attempt: z.number().int().nullable(),
  created_at: nullableText,
  finished_at: nullableText,
  duration_ms: z.number().nullable(),
  /** Fingerprint of the model + input the row ran with (absent before this field existed). */
  content_sha: nullableText.optional(),
  /** A final row's draft (promote): its batch, row, image number and run; absent on other rows. */
  draft_batch: z.string().optional(),
  draft_row: z.string().optional(),
  draft_image: z.number().int().optional(),
  draft_run_id: z.string().optional(),
});

export type ResultLine = z.infer<typeof resultLineSchema>;

/** What the manifest says about a row: used for unfinished rows, and where a result lacks it. */
export interface ManifestFacts {
  readonly prompt: string | null;
  readonly metadata: Readonly<Record<string, string>> | null;
  /** A final row's draft image (promote). */
  readonly draft?: DraftRef | null | undefined;
}

/** The lineage fields of a final row's line (none for other rows). */
function lineageFields(
  draft: DraftRef | null | undefined,
): Pick<ResultLine, "draft_batch" | "draft_row" | "draft_image" | "draft_run_id"> {
  if (!draft) return {};
  return {
    draft_batch: draft.batch,
    draft_row: draft.row,
    draft_image: draft.image,
    draft_run_id: draft.run_id,
  };
}

/**
 * `micros` ÷ `count` in whole micro-dollars, halves rounded up (0.000 0005 → 0.000 001), as a
 * decimal string. Integer arithmetic only; null when there is nothing to divide by.
 */
export function perImageUsd(micros: Micros, count: number): string | null {
  if (count <= 0 || !Number.isSafeInteger(micros) || micros < 0) return null;
  const rounded = Math.floor((2 * micros + count) / (2 * count));
  return formatUsd(rounded);
}

/** The prompt of a manifest row's `input`, when it has one. */
export function promptOf(input: Readonly<Record<string, unknown>>): string | null {
  return typeof input.prompt === "string" ? input.prompt : null;
}

export function lineFromResult(result: StoredResult, facts: ManifestFacts | null = null): ResultLine {
  return {
    id: result.id,
    model: result.model,
    quality: result.quality,
    status: result.status,
    run_id: result.run_id,
    images: result.images,
    estimated_usd: formatUsd(result.estimated_micros),
    cost_usd: formatUsd(result.cost_micros),
    cost_per_image_usd: perImageUsd(result.cost_micros, result.images.length),
    error: result.error,
    prompt: result.prompt ?? facts?.prompt ?? null,
    metadata: result.metadata ?? facts?.metadata ?? null,
    attempt: result.attempt ?? null,
    created_at: result.created_at ?? null,
    finished_at: result.finished_at || null,
    duration_ms: result.duration_ms ?? null,
    content_sha: result.content_sha ?? null,
    ...lineageFields(result.draft ?? facts?.draft),
  };
}

export function pendingLine(
  row: { key: string; model: string; quality: string | null },
  estimateMicros: number,
  held: boolean,
  runId: string | null,
  facts: ManifestFacts = { prompt: null, metadata: null },
): ResultLine {
  return {
    id: row.key,
    model: row.model,
    quality: row.quality,
    status: held ? "held" : "pending",
    run_id: runId,
    images: [],
    estimated_usd: formatUsd(estimateMicros),
    cost_usd: null,
    cost_per_image_usd: null,
    error: held ? "budget: the batch's cost cap was reached before this row was submitted" : null,
    prompt: facts.prompt,
    metadata: facts.metadata,
    attempt: null,
    created_at: null,
    finished_at: null,
    duration_ms: null,
    content_sha: null,
    ...lineageFields(facts.draft),
  };
}

const BASE_COLUMNS = [
  "id",
  "model",
  "quality",
  "status",
  "run_id",
  "images",
  "estimated_usd",
  "cost_usd",
  "error",
] as const;
const RICH_COLUMNS = [
  "prompt",
  "attempt",
  "created_at",
  "finished_at",
  "duration_ms",
  "cost_per_image_usd",
] as const;

/** A final batch's (promote) columns, after the rich ones: where each row came from. */
const LINEAGE_COLUMNS = ["draft_batch", "draft_row", "draft_image", "draft_run_id"] as const;

/** The CSV columns of a batch whose rows carry these metadata keys (and, for finals, lineage). */
export function csvColumns(metadataKeys: readonly string[] = [], lineage = false): string[] {
  return [
    ...BASE_COLUMNS,
    ...RICH_COLUMNS,
    ...(lineage ? LINEAGE_COLUMNS : []),
    ...metadataKeys.map((key) => `metadata.${key}`),
  ];
}

/**
 * How results.csv is written. For Excel users — a manifest read with `;` between cells, or in an
 * encoding other than UTF-8 — it follows the manifest: `;` when the manifest had it, and a UTF-8
 * byte order mark, which Excel needs to show accents. Otherwise plain RFC 4180 CSV.
 */
export interface CsvStyle {
  readonly delimiter: "," | ";";
  readonly bom: boolean;
}

const PLAIN_CSV: CsvStyle = { delimiter: ",", bom: false };

export function csvStyleFor(manifest: {
  readonly delimiter?: string | undefined;
  readonly encoding?: string | undefined;
}): CsvStyle {
  const semicolon = manifest.delimiter === ";";
  const encoding = manifest.encoding?.trim().toLowerCase().replace("_", "-");
  const utf8 = encoding === undefined || encoding === "utf-8" || encoding === "utf8";
  return { delimiter: semicolon ? ";" : ",", bom: semicolon || !utf8 };
}

function csvField(value: string, style: CsvStyle): string {
  const special = style.delimiter === ";" ? /[";\r\n]/ : /[",\r\n]/;
  return special.test(value) || value !== value.trim() ? `"${value.replaceAll('"', '""')}"` : value;
}

export function csvHeader(
  metadataKeys: readonly string[] = [],
  style: CsvStyle = PLAIN_CSV,
  lineage = false,
): string {
  const header = csvColumns(metadataKeys, lineage)
    .map((c) => csvField(c, style))
    .join(style.delimiter);
  return (style.bom ? "\uFEFF" : "") + header + "\n";
}

const text = (value: string | number | null) => (value === null ? "" : String(value));

export function csvLine(
  line: ResultLine,
  metadataKeys: readonly string[] = [],
  style: CsvStyle = PLAIN_CSV,
  lineage = false,
): string {
  const cells = [
    line.id,
    line.model,
    line.quality ?? "",
    line.status,
    line.run_id ?? "",
    line.images.join("|"),
    line.estimated_usd,
    line.cost_usd ?? "",
    line.error ?? "",
    text(line.prompt),
    text(line.attempt),
    text(line.created_at),
    text(line.finished_at),
    text(line.duration_ms),
    text(line.cost_per_image_usd),
  ];
  if (lineage)
    cells.push(
      line.draft_batch ?? "",
      line.draft_row ?? "",
      text(line.draft_image ?? null),
      line.draft_run_id ?? "",
    );
  for (const key of metadataKeys) cells.push(line.metadata?.[key] ?? "");
  return cells.map((cell) => csvField(cell, style)).join(style.delimiter) + "\n";
}
