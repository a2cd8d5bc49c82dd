/**
 * `runflow-batch simulator`: flags and help; the use case is src/commands/simulator.ts.
 */
import type { Command } from "commander";
import { readConfig } from "../config/config.js";
import { UsageError } from "../core/errors.js";
import { parseLatency as parseLatencyFlag, parseRate } from "./flags/sim-flags.js";
import { parseUsd } from "../core/money.js";
import type { SimulatorOptions } from "../simulator/index.js";
import { TIMING_FIELDS, type TimingField } from "../simulator/options.js";
import type { CommandContext } from "../commands/context.js";

interface SimulatorFlags {
  port: string;
  host: string;
  apiKey: string[];
  latency?: string;
  failRate?: string;
  errorRate?: string;
  rateLimit?: string;
  retryAfter?: boolean;
  balance?: string;
  callbackSecret?: string;
  urlTtl?: string;
  seed?: string;
  downloadDelay?: string;
  truncateRate?: string;
  omitTiming?: string;
}

function number(flag: string, text: string, expected: string, ok: (n: number) => boolean): number {
  const value = /^-?\d+(\.\d+)?$/.test(text.trim()) ? Number(text) : Number.NaN;
  if (!ok(value)) throw new UsageError(`--${flag} must be ${expected}, got ${JSON.stringify(text)}`);
  return value;
}
const wholeAtLeast = (min: number) => (n: number) => Number.isInteger(n) && n >= min;
/** "500" → 500 ms; "15000-40000" → uniform in that range. */
export const parseLatency = (text: string) => parseLatencyFlag("--latency", text);

export function simulatorOptionsFromFlags(
  flags: SimulatorFlags,
  callbackSecret: string | null,
): SimulatorOptions {
  const options: SimulatorOptions = {
    port: number(
      "port",
      flags.port,
      "a port number from 0 to 65535 (0 picks a free port)",
      (n) => wholeAtLeast(0)(n) && n <= 65_535,
    ),
    host: flags.host,
    apiKeys: flags.apiKey,
    callbackSecret,
  };
  if (flags.latency !== undefined) options.latencyMs = parseLatency(flags.latency);
  if (flags.failRate !== undefined) options.failRate = parseRate("--fail-rate", flags.failRate);
  if (flags.errorRate !== undefined) options.errorRate = parseRate("--error-rate", flags.errorRate);
  if (flags.truncateRate !== undefined)
    options.truncateRate = parseRate("--truncate-rate", flags.truncateRate);
  if (flags.rateLimit !== undefined)
    options.rateLimit = number(
      "rate-limit",
      flags.rateLimit,
      "requests per second, more than 0",
      (n) => n > 0,
    );
  if (flags.retryAfter) options.retryAfter = true;
  if (flags.balance !== undefined) {
    try {
      parseUsd(flags.balance);
    } catch {
      throw new UsageError(
        "--balance must be a dollar amount such as 25 or 12.50 (at most 6 decimals), " +
          `got ${JSON.stringify(flags.balance)}`,
      );
    }
    options.balanceUsd = flags.balance.trim();
  }
  if (flags.urlTtl !== undefined)
    options.urlTtlSeconds = number("url-ttl", flags.urlTtl, "whole seconds, at least 1", wholeAtLeast(1));
  if (flags.seed !== undefined)
    options.seed = number("seed", flags.seed, "a whole number", Number.isSafeInteger);
  if (flags.downloadDelay !== undefined)
    options.downloadDelayMs = number(
      "download-delay",
      flags.downloadDelay,
      "milliseconds, 0 or more",
      wholeAtLeast(0),
    );
  if (flags.omitTiming !== undefined) options.omitTiming = parseTimingFields(flags.omitTiming);
  for (const key of flags.apiKey) if (key.trim() === "") throw new UsageError("--api-key must not be empty");
  return options;
}

/** "duration_ms,completed_at" → those fields; "all" → every timing field. */
function parseTimingFields(text: string): TimingField[] {
  const names = text.split(",").map((name) => name.trim());
  if (text.trim() === "all") return [...TIMING_FIELDS];
  const known: readonly string[] = TIMING_FIELDS;
  const wrong = names.filter((name) => !known.includes(name));
  if (wrong.length > 0 || names.length === 0)
    throw new UsageError(
      `--omit-timing takes "all" or a comma-separated list of ${TIMING_FIELDS.join(", ")}, ` +
        `got ${JSON.stringify(text)}`,
    );
  return names as TimingField[];
}

const collect = (value: string, previous: string[]) => [...previous, value];

export function registerSimulator(program: Command, ctx: CommandContext): void {
  program
    .command("simulator")
    .summary("the local Runflow API simulator (rehearse without spending)")
    .description(
      "Run a local Runflow API simulator: same endpoints, errors, billing and callbacks " +
        "as docs/runflow-api.md; no money spent.",
    )
    .option("--port <n>", "port to listen on; 0 picks a free port", "8787")
    .option("--host <host>", "address to listen on", "127.0.0.1")
    .option(
      "--api-key <key>",
      "accept this API key (repeatable); without it any rf_… key is accepted",
      collect,
      [],
    )
    .option(
      "--latency <ms|min-max>",
      "time from create to terminal, fixed or a range (e.g. 15000-40000)",
      undefined,
    )
    .option("--fail-rate <share>", "share of runs that end failed (not billed), 0–1")
    .option("--error-rate <share>", "share of API requests answered 500/503, 0–1")
    .option("--rate-limit <n>", "requests per second before 429 RATE_LIMITED")
    .option("--retry-after", "send Retry-After (seconds) with 429 answers")
    .option(
      "--balance <usd>",
      "account credit; runs that it cannot cover get 402 INSUFFICIENT_CREDIT (default unlimited)",
    )
    .option(
      "--callback-secret <secret>",
      "sign callbacks with Runflow-Signature (default: RUNFLOW_CALLBACK_SECRET)",
    )
    .option("--url-ttl <seconds>", "lifetime of presigned output URLs", undefined)
    .option("--seed <n>", "reproducible latencies, failures, faults and images")
    .option("--download-delay <ms>", "wait before sending output bytes")
    .option("--truncate-rate <share>", "share of output downloads cut short, 0–1")
    .option(
      "--omit-timing <fields>",
      "send these timing fields as null, as the docs allow: all, or some of duration_ms,created_at,…",
    )
    .addHelpText(
      "after",
      `
Endpoints: POST /v1/models/{model}/runs, GET /v1/runs/{id}, GET /v1/billing/balance,
GET /v1/health, presigned output URLs, and outside /v1 (no auth) GET /__simulator/ledger
(runs, POSTs per Idempotency-Key, amount billed) and POST /__simulator/config (change faults
or balance at runtime, e.g. {"balanceUsd":"50","errorRate":0}).

Examples:
  runflow-batch simulator --port 0
  runflow-batch simulator --latency 15000-40000 --fail-rate 0.05 --balance 25
  runflow-batch simulator --rate-limit 50 --retry-after --error-rate 0.02 --seed 7
  RUNFLOW_BASE_URL=http://127.0.0.1:8787 RUNFLOW_API_KEY=rf_test runflow-batch run jobs/catalogue.csv --out out/`,
    )
    .action(async (flags: SimulatorFlags) => {
      ctx.handlesStop();
      const config = readConfig({ callbackSecret: flags.callbackSecret }, ctx.io.env);
      const options = simulatorOptionsFromFlags(flags, config.callbackSecret);
      const { serveSimulator } = await import("../commands/simulator.js");
      await serveSimulator(ctx, { options, logLevel: config.logLevel });
    });
}
