/**
 * Flags shared by `submit` and `run` (and the manifest ones by `estimate`): how to read the
 * manifest, which prices, and the batch's identity, cap and retry budget. Parsed into typed
 * options with usage errors that name the flag.
 */
import type { Command } from "commander";
import { UsageError } from "../errors.js";
import { MANIFEST_FORMATS } from "../manifest/index.js";
import type { ManifestDefaults, ManifestFormat } from "../manifest/types.js";
import { loadPriceTable } from "../pricing/prices-file.js";
import type { PriceTable } from "../pricing/table.js";
import { DEFAULT_RETRY_OPTIONS, type RetryOptions } from "../queue/retry-options.js";
import { isModelId, isQuality, MODEL_IDS, QUALITIES } from "../runflow/models.js";
import { parsePositiveInt, parseUsdFlag } from "./parse-flags.js";

export interface BatchFlags {
  inputFormat?: string;
  model?: string;
  quality?: string;
  prices?: string;
  skipInvalid?: boolean;
  batch?: string;
  maxCost?: string;
  force?: boolean;
  attempts?: string;
  retryBackoff?: string;
  out?: string;
}

export function addManifestOptions(command: Command): Command {
  return command
    .option("--input-format <format>", "read the manifest as csv, json or jsonl (default: from the file extension)")
    .option("--model <model>", `model for rows that leave it empty: ${MODEL_IDS.join(", ")}`)
    .option("--quality <quality>", "quality for rows that leave it empty: low, medium or high")
    .option("--prices <file>", "JSON price table overriding the built-in prices")
    .option("--skip-invalid", "go on with the valid rows and list the invalid ones (default: any invalid row stops everything)");
}

export function addBatchOptions(command: Command): Command {
  return addManifestOptions(command)
    .option("--batch <id>", "batch id (default: derived from the manifest, so the same command resumes the same batch)")
    .option("--max-cost <usd>", "budget cap in dollars: nothing is submitted past it")
    .option("--force", "start even when the Runflow balance cannot cover the estimate")
    .option("--attempts <n>", "tries per row for transient errors (5xx, network) before it fails", String(DEFAULT_RETRY_OPTIONS.attempts))
    .option("--retry-backoff <ms>", "delay before a row's first retry; later ones double, with jitter", String(DEFAULT_RETRY_OPTIONS.backoffMs));
}

export interface ManifestSettings {
  readonly manifest: { format?: ManifestFormat; defaults?: ManifestDefaults };
  readonly prices: PriceTable;
  readonly skipInvalid: boolean;
}

export async function parseManifestFlags(flags: BatchFlags): Promise<ManifestSettings> {
  const manifest: { format?: ManifestFormat; defaults?: ManifestDefaults } = {};
  if (flags.inputFormat !== undefined) {
    if (!(MANIFEST_FORMATS as readonly string[]).includes(flags.inputFormat)) {
      throw new UsageError(`--input-format must be one of ${MANIFEST_FORMATS.join(", ")}, got ${JSON.stringify(flags.inputFormat)}`);
    }
    manifest.format = flags.inputFormat as ManifestFormat;
  }
  const defaults: { -readonly [K in keyof ManifestDefaults]: ManifestDefaults[K] } = {};
  if (flags.model !== undefined) {
    if (!isModelId(flags.model)) throw new UsageError(`--model must be one of ${MODEL_IDS.join(", ")}, got ${JSON.stringify(flags.model)}`);
    defaults.model = flags.model;
  }
  if (flags.quality !== undefined) {
    if (!isQuality(flags.quality)) throw new UsageError(`--quality must be one of ${QUALITIES.join(", ")}, got ${JSON.stringify(flags.quality)}`);
    defaults.quality = flags.quality;
  }
  if (defaults.model || defaults.quality) manifest.defaults = defaults;
  return { manifest, prices: await loadPriceTable(flags.prices), skipInvalid: flags.skipInvalid === true };
}

export interface BatchSettings extends ManifestSettings {
  readonly batchId: string | undefined;
  readonly capMicros: number | null;
  readonly force: boolean;
  readonly retry: RetryOptions;
}

export async function parseBatchFlags(flags: BatchFlags): Promise<BatchSettings> {
  return {
    ...(await parseManifestFlags(flags)),
    batchId: flags.batch,
    capMicros: parseUsdFlag("--max-cost", flags.maxCost),
    force: flags.force === true,
    retry: {
      attempts: parsePositiveInt("--attempts", flags.attempts, DEFAULT_RETRY_OPTIONS.attempts),
      backoffMs: parsePositiveInt("--retry-backoff", flags.retryBackoff, DEFAULT_RETRY_OPTIONS.backoffMs),
    },
  };
}
