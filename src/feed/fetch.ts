/**
 * A feed (or manifest) given as a URL, fetched into a local file every later reader reads: the
 * body streamed to disk under a size cap, each attempt under a timeout, network errors and the
 * answers the retry policy retries (408, 429, 5xx) tried again with its backoff
 * (runflow/retry-policy.ts), and a conditional GET (the ETag / Last-Modified of the copy
 * kept from last time): an unchanged feed costs one request and is read from the kept copy.
 * `https://` anywhere; `http://` only to this machine and `file://` (tests, local mirrors).
 * Credentials come as headers whose values are read from environment variables; they are never
 * written to a message, a log line or a file, and the URL is shown without its query string.
 */
import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { FEED_FETCH_DEFAULTS } from "../config/defaults.js";
import { ConfigurationError, UsageError } from "../core/errors.js";
import { BACKOFF, backoffDelay, isRetryableStatus } from "../runflow/retry-policy.js";
import { checkFeedUrl, shownUrl } from "./url.js";

export interface FetchSettings {
  /** Where kept copies live: `<dir>/<key>/` per cache key and URL. */
  readonly cacheDir: string;
  /** Whose copy it is: a schedule's own (`schedule:nightly`), or the command line's. */
  readonly cacheKey: string;
  /** Header → value, already read from the environment; never shown. */
  readonly headers?: Readonly<Record<string, string>>;
  readonly timeoutMs?: number;
  readonly maxBytes?: number;
  /** Tries in all for a network error or an answer the retry policy retries (default 4). */
  readonly attempts?: number;
  /** The first wait between tries (doubles each time, with jitter), ms. */
  readonly backoffMs?: number;
  readonly fetch?: typeof fetch;
  /** The backoff's jitter (tests pin it). */
  readonly random?: () => number;
}

export interface FetchedFeed {
  /** The local file to read. */
  readonly path: string;
  /** The URL as shown in messages: no credentials, no query string. */
  readonly label: string;
  /** `fetched`: a new body; `not-modified`: the server said 304, the kept copy is read. */
  readonly outcome: "fetched" | "not-modified" | "local";
  readonly requests: number;
  readonly bytes: number;
}

/** kept.json: the copy kept from last time and what the server said of it. */
const keptSchema = z.object({
  url: z.string(),
  etag: z.string().nullable(),
  lastModified: z.string().nullable(),
  file: z.string().min(1),
  bytes: z.number().int().nonnegative(),
});

type Kept = z.infer<typeof keptSchema>;

const EXTENSIONS = /\.(csv|tsv|txt|tab|json|jsonl|ndjson|xml|rss|atom)$/i;

function extensionFor(url: URL, contentType: string | null): string {
  const fromPath = EXTENSIONS.exec(url.pathname)?.[0];
  if (fromPath) return fromPath.toLowerCase();
  const type = (contentType ?? "").toLowerCase();
  if (type.includes("xml")) return ".xml";
  if (type.includes("tab-separated")) return ".tsv";
  if (type.includes("ndjson") || type.includes("jsonl")) return ".jsonl";
  if (type.includes("json")) return ".json";
  if (type.includes("csv")) return ".csv";
  return ".feed";
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Counts bytes through, and stops the download past the cap. */
function capped(maxBytes: number, label: string, counted: { bytes: number }): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      counted.bytes += chunk.length;
      if (counted.bytes > maxBytes)
        done(
          new UsageError(
            `${label} is larger than ${maxBytes.toLocaleString("en-US")} bytes; reading stopped`,
          ),
        );
      else done(null, chunk);
    },
  });
}

class Retryable extends Error {}

/** The body written whole beside its kept copy, then renamed over it; a broken download is retried. */
async function keepBody(response: Response, dir: string, url: URL, label: string, maxBytes: number) {
  const file = path.join(dir, `feed${extensionFor(url, response.headers.get("content-type"))}`);
  const incoming = `${file}.incoming`;
  const counted = { bytes: 0 };
  try {
    const body = Readable.fromWeb(response.body as Parameters<typeof Readable.fromWeb>[0]);
    await pipeline(body, capped(maxBytes, label, counted), createWriteStream(incoming, { mode: 0o600 }));
    await rename(incoming, file);
  } catch (error) {
    await rm(incoming, { force: true });
    if (error instanceof UsageError) throw error;
    throw new Retryable(`the download broke off (${(error as Error).message})`);
  }
  return { file, bytes: counted.bytes };
}

/** Why a try failed, for the message after the last one. */
function failureReason(error: unknown, timeoutMs: number): string {
  if (error instanceof Retryable) return error.message;
  return (error as Error).name === "TimeoutError"
    ? `no complete answer within ${timeoutMs / 1000} s`
    : `it cannot be reached (${(error as Error).message})`;
}

export async function fetchFeed(text: string, settings: FetchSettings): Promise<FetchedFeed> {
  const url = checkFeedUrl(text);
  const label = shownUrl(url);
  if (url.protocol === "file:") {
    const local = fileURLToPath(url);
    return { path: local, label: local, outcome: "local", requests: 0, bytes: (await stat(local)).size };
  }
  const o = { ...FEED_FETCH_DEFAULTS, ...settings };
  const dir = path.join(
    o.cacheDir,
    createHash("sha256").update(`${o.cacheKey}\n${url.href}`).digest("hex").slice(0, 24),
  );
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const metaFile = path.join(dir, "kept.json");
  const kept = await readKept(metaFile, url.href);
  const doFetch = o.fetch ?? fetch;
  let requests = 0;
  for (let attempt = 1; ; attempt++) {
    const headers: Record<string, string> = { ...o.headers };
    if (kept?.etag) headers["If-None-Match"] = kept.etag;
    if (kept?.lastModified) headers["If-Modified-Since"] = kept.lastModified;
    try {
      requests += 1;
      const response = await doFetch(url, {
        headers,
        signal: AbortSignal.timeout(o.timeoutMs),
        redirect: "follow",
      });
      if (response.status === 304 && kept) {
        await response.body?.cancel();
        return { path: kept.file, label, outcome: "not-modified", requests, bytes: kept.bytes };
      }
      if (isRetryableStatus(response.status)) {
        await response.body?.cancel();
        throw new Retryable(`the server answered ${response.status} ${response.statusText}`.trim());
      }
      if (!response.ok || !response.body) {
        await response.body?.cancel();
        throw refusal(label, response.status, Object.keys(o.headers ?? {}));
      }
      const { file, bytes } = await keepBody(response, dir, url, label, o.maxBytes);
      const next: Kept = {
        url: url.href,
        etag: response.headers.get("etag"),
        lastModified: response.headers.get("last-modified"),
        file,
        bytes,
      };
      await writeFile(metaFile, JSON.stringify(next), { mode: 0o600 });
      return { path: file, label, outcome: "fetched", requests, bytes };
    } catch (error) {
      if (error instanceof UsageError) throw error;
      const reason = failureReason(error, o.timeoutMs);
      if (attempt >= o.attempts)
        throw new ConfigurationError(
          `${label}: the feed could not be fetched after ${attempt} tries: ${reason}. ` +
            "Check the URL and the network, then run it again.",
        );
      await sleep(backoffDelay(attempt, BACKOFF.feedFetch(o.backoffMs), o.random));
    }
  }
}

function refusal(label: string, status: number, headerNames: readonly string[]): UsageError {
  if (status === 401 || status === 403) {
    const given =
      headerNames.length > 0
        ? `the ${headerNames.join(", ")} header sent was refused`
        : "no credentials were sent";
    return new UsageError(
      `${label}: the server answered ${status} (${given}); ` +
        "set the feed's credentials in the environment variable named " +
        "by feed_headers (a schedule) or --feed-header (the command line)",
    );
  }
  if (status === 404)
    return new UsageError(`${label}: the server answered 404 (no such feed); check the URL`);
  return new UsageError(`${label}: the server answered ${status}; check the URL and the credentials`);
}

/**
 * The copy kept for this URL, or null: none yet, its file gone, or kept.json unreadable (written
 * by another version or changed by hand): then the feed is simply fetched whole again.
 */
async function readKept(metaFile: string, href: string): Promise<Kept | null> {
  try {
    const parsed = keptSchema.safeParse(JSON.parse(await readFile(metaFile, "utf8")));
    if (!parsed.success || parsed.data.url !== href) return null;
    await stat(parsed.data.file);
    return parsed.data;
  } catch {
    return null;
  }
}

/** Header values from the environment variables named (`{"Authorization": "FEED_AUTH"}`). */
export function headersFromEnv(
  named: Readonly<Record<string, string>> | null | undefined,
  env: Readonly<Record<string, string | undefined>>,
  where: string,
): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [header, variable] of Object.entries(named ?? {})) {
    const value = env[variable];
    if (value === undefined || value === "")
      throw new UsageError(
        `${where}: the ${header} header of the feed comes from the environment variable ${variable}, ` +
          "which is not set; set it",
      );
    headers[header] = value;
  }
  return headers;
}
