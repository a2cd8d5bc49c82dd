/**
 * Flags shared by `submit` and `run` (and the manifest ones by `estimate`): how to read the
 * manifest, which prices, and the batch's identity, cap and retry budget. Parsed into typed
 * options with usage errors that name the flag.
 */
import { Option, type Command } from "commander";
import { MANIFEST_FORMATS, parseDelimiter } from "../../manifest/index.js";
import type { ManifestDefaults, ManifestFormat } from "../../manifest/types.js";
import { loadPriceTable } from "../../pricing/prices-file.js";
import { FEED_DEFAULTS } from "../../config/defaults.js";
import { DEFAULT_RETRY_OPTIONS } from "../../queue/retry-options.js";
import type { BatchSettings, ManifestSettings } from "../../batch/settings.js";
import type { ManifestSource } from "../../manifest/source.js";
import { MODEL_IDS, QUALITIES, type ModelId, type Quality } from "../../core/models.js";
import { PATIENCE_DEFAULTS } from "../../config/defaults.js";
import { UsageError } from "../../core/errors.js";
import { parseDurationFlag, parsePositiveInt, parseUsdFlag } from "./parse-flags.js";

export interface BatchFlags {
  recipe?: string;
  feedHeader?: string[];
  inputFormat?: ManifestFormat;
  delimiter?: string;
  encoding?: string;
  model?: ModelId;
  quality?: Quality;
  prices?: string;
  skipInvalid?: boolean;
  batch?: string;
  maxCost?: string;
  force?: boolean;
  attempts?: string;
  retryBackoff?: string;
  maxQueued?: string;
  out?: string;
  notifyUrl?: string;
  startTimeout?: string;
  redisTimeout?: string;
}

export function addManifestOptions(command: Command): Command {
  return command
    .option(
      "--recipe <file>",
      "read the manifest as a product feed (Shopify, Merchant Center, any CSV/TSV/JSON/XML) through this recipe",
    )
    .option(
      "--feed-header <header=ENV_VAR>",
      "a manifest or feed given as an https:// URL is fetched with this header, its value read from ENV_VAR " +
        "(e.g. Authorization=FEED_AUTH; repeatable; the value is never printed)",
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .addOption(
      new Option(
        "--input-format <format>",
        "read the manifest as this format instead of guessing from its extension",
      ).choices(MANIFEST_FORMATS),
    )
    .option("--delimiter <char>", "CSV field separator: , ; | or tab (default: read from the header line)")
    .option(
      "--encoding <name>",
      "the manifest's text encoding, e.g. windows-1252, latin1, utf-16le (default UTF-8; a BOM is detected)",
    )
    .addOption(new Option("--model <model>", "model for rows that leave `model` empty").choices(MODEL_IDS))
    .addOption(
      new Option("--quality <tier>", "quality tier for per-image rows that leave `quality` empty").choices(
        QUALITIES,
      ),
    )
    .option("--prices <file>", "a JSON prices file overriding the built-in prices")
    .option(
      "--skip-invalid",
      "go on with the valid rows and list the invalid ones (default: any invalid row stops everything)",
    );
}

export function addBatchOptions(given: Command): Command {
  const command = addManifestOptions(given)
    .option(
      "--batch <id>",
      "batch id (default: derived from the manifest, so the same command resumes the same batch)",
    )
    .option("--max-cost <usd>", "budget cap in dollars: nothing is submitted past it")
    .option("--force", "start even when the Runflow balance cannot cover the estimate")
    .option(
      "--max-queued <n>",
      `rows kept waiting in Redis ahead of the workers; the rest wait in the batch's row store ` +
        `(default ${FEED_DEFAULTS.window}; run: at least 2 × its concurrency)`,
    )
    .option(
      "--attempts <n>",
      "tries per row for transient errors (5xx, network) before it fails",
      String(DEFAULT_RETRY_OPTIONS.attempts),
    )
    .option(
      "--retry-backoff <ms>",
      "delay before a row's first retry; later ones double, with jitter",
      String(DEFAULT_RETRY_OPTIONS.backoffMs),
    )
    .option(
      "--notify-url <url>",
      "POST a JSON summary here when the batch ends (signed when RUNFLOW_BATCH_NOTIFY_SECRET is set)",
    )
    .option(
      "--start-timeout <duration>",
      "retry the start-up balance check this long (e.g. 2m) before exit 4",
      "2m",
    );
  return addRedisTimeoutOption(command);
}

/** `--redis-timeout`: how long a command waits for a Redis that went away before it exits 4. */
export function addRedisTimeoutOption(command: Command): Command {
  return command.option(
    "--redis-timeout <duration>",
    "when Redis goes away, pause and reconnect this long (e.g. 60s, 5m) before exit 4 " +
      "(default: 60s, RUNFLOW_BATCH_REDIS_TIMEOUT)",
  );
}

export function parseRedisTimeout(flags: { redisTimeout?: string }): number | undefined {
  return flags.redisTimeout === undefined
    ? undefined
    : parseDurationFlag("--redis-timeout", flags.redisTimeout, 0);
}

/** An http(s) URL for --notify-url, or a usage error naming the flag. */
function parseNotifyUrl(value: string | undefined): string | null {
  if (value === undefined) return null;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(
      "--notify-url must be an http(s) URL such as https://hooks.example.com/batches, " +
        `got ${JSON.stringify(value)}`,
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new UsageError(`--notify-url must be an http or https URL, got ${JSON.stringify(value)}`);
  }
  return url.toString();
}

/** `--feed-header Authorization=FEED_AUTH` → {Authorization: "FEED_AUTH"} (the variable's name, not its value). */
function parseFeedHeaders(values: readonly string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const value of values) {
    const match = /^\s*([A-Za-z0-9-]+)\s*=\s*([A-Za-z_][A-Za-z0-9_]*)\s*$/.exec(value);
    if (!match)
      throw new UsageError(
        `--feed-header must be HEADER=ENV_VAR, such as Authorization=FEED_AUTH (the header's value is read from ` +
          `the environment variable), got ${JSON.stringify(value.replace(/=.*/, "=…"))}`,
      );
    headers[match[1] as string] = match[2] as string;
  }
  return headers;
}

/** Commander has already checked the choices; this only shapes them for the manifest reader. */
export async function parseManifestFlags(path: string, flags: BatchFlags): Promise<ManifestSettings> {
  const manifest: { -readonly [K in keyof ManifestSource]?: ManifestSource[K] } = {};
  if (flags.recipe !== undefined) manifest.recipe = flags.recipe;
  if (flags.feedHeader !== undefined) manifest.feedHeaders = parseFeedHeaders(flags.feedHeader);
  if (flags.inputFormat !== undefined) manifest.format = flags.inputFormat;
  if (flags.delimiter !== undefined) manifest.delimiter = parseDelimiter(flags.delimiter);
  if (flags.encoding !== undefined) manifest.encoding = flags.encoding.trim();
  const defaults: { -readonly [K in keyof ManifestDefaults]: ManifestDefaults[K] } = {};
  if (flags.model !== undefined) defaults.model = flags.model;
  if (flags.quality !== undefined) defaults.quality = flags.quality;
  if (defaults.model || defaults.quality) manifest.defaults = defaults;
  return {
    source: { ...manifest, path },
    prices: await loadPriceTable(flags.prices),
    skipInvalid: flags.skipInvalid === true,
  };
}

export async function parseBatchFlags(path: string, flags: BatchFlags): Promise<BatchSettings> {
  return {
    ...(await parseManifestFlags(path, flags)),
    batchId: flags.batch,
    capMicros: parseUsdFlag("--max-cost", flags.maxCost),
    force: flags.force === true,
    retry: {
      attempts: parsePositiveInt("--attempts", flags.attempts, DEFAULT_RETRY_OPTIONS.attempts),
      backoffMs: parsePositiveInt("--retry-backoff", flags.retryBackoff, DEFAULT_RETRY_OPTIONS.backoffMs),
    },
    queueWindow:
      flags.maxQueued === undefined ? undefined : parsePositiveInt("--max-queued", flags.maxQueued, 1),
    notifyUrl: parseNotifyUrl(flags.notifyUrl),
    startTimeoutMs: parseDurationFlag(
      "--start-timeout",
      flags.startTimeout,
      PATIENCE_DEFAULTS.startTimeoutMs,
    ),
    redisTimeoutMs: parseRedisTimeout(flags),
  };
}
