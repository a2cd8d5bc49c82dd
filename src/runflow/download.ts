/**
 * Downloading one output image: stream to `<tempDir or beside it>/<name>.<ext>.tmp-<random>`, check the type, the
 * size cap and content-length, then rename into place, so a file at the final path is always
 * complete. Output URLs are presigned (and may be on another host): no Authorization header.
 * A 403/404/410 means the URL expired or was refused: re-read the run once and use the fresh URL.
 * An image bound for object storage (DownloadRequest.writer) is handed over whole instead of
 * renamed into place (download-writer.ts).
 */
import { randomBytes } from "node:crypto";
import { mkdir, open, rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { request, type Dispatcher } from "undici";
import type { Logger } from "../log/logger.js";
import { DownloadError, type DownloadFailure, type RequestRef } from "./errors.js";
import { errorCode, safeCause, scrubSecret, USER_AGENT } from "./http.js";
import { toWriter } from "./download-writer.js";
import type { Download, DownloadRequest, Run } from "./types.js";

export interface DownloadContext {
  readonly dispatcher: Dispatcher;
  readonly timeoutMs: number;
  readonly maxDownloadBytes: number;
  readonly logger: Logger;
  /** Only to scrub it from error text; never sent to output URLs. */
  readonly apiKey: string;
  readonly getRun: (id: string) => Promise<Run>;
}

const EXTENSIONS: Readonly<Record<string, string>> = {
  "image/png": "png",
  "image/jpeg": "jpg",
  "image/jpg": "jpg",
  "image/webp": "webp",
};
const REFUSED: ReadonlySet<number> = new Set([403, 404, 410]);

/** "image/jpeg; charset=binary" → "jpg"; anything but PNG, JPEG or WebP → null. */
export function extensionFor(contentType: string | null): string | null {
  if (contentType === null) return null;
  return EXTENSIONS[contentType.split(";")[0]?.trim().toLowerCase() ?? ""] ?? null;
}

/** Origin and path only: the query string of a presigned URL is a credential of its own. */
export function describeUrl(url: string, secret = ""): RequestRef {
  try {
    const parsed = new URL(url);
    return { method: "GET", path: scrubSecret(`${parsed.origin}${parsed.pathname}`, secret) };
  } catch {
    return { method: "GET", path: "(invalid URL)" };
  }
}

const header = (value: string | string[] | undefined): string | null =>
  Array.isArray(value) ? (value[0] ?? null) : (value ?? null);

/** Drops a response body without reading it; undici reports the abort as an error event, which is expected here. */
function discard(body: Dispatcher.ResponseData["body"]): void {
  body.on("error", () => {});
  body.destroy();
}

type Attempt =
  | { readonly kind: "done"; readonly download: Download }
  | { readonly kind: "refused"; readonly status: number };

export async function downloadOutput(ctx: DownloadContext, req: DownloadRequest): Promise<Download> {
  const first = await attempt(ctx, req, req.url);
  if (first.kind === "done") return first.download;
  ctx.logger.info(
    { runId: req.runId, index: req.index, status: first.status },
    "Output URL refused or expired; re-reading the run for a fresh one",
  );
  const run = await ctx.getRun(req.runId);
  const fresh = run.outputUrls[req.index];
  if (fresh === undefined) {
    throw new DownloadError(
      `the URL answered ${first.status} and the re-read run has no output ${req.index} (it has ${run.outputUrls.length}).`,
      describeUrl(req.url, ctx.apiKey),
      {
        failure: "no-url",
        runId: req.runId,
        index: req.index,
        status: first.status,
      },
    );
  }
  const second = await attempt(ctx, req, fresh);
  if (second.kind === "done") return second.download;
  throw new DownloadError(
    `the URL answered ${second.status} even after re-reading the run for a fresh one; the output may have been deleted. Retrying the row re-reads the run again.`,
    describeUrl(fresh, ctx.apiKey),
    { failure: "expired", runId: req.runId, index: req.index, status: second.status },
  );
}

/** A whole download may take this many per-request timeouts (150 s by default) before it is abandoned and retried. */
const DOWNLOAD_DEADLINE_FACTOR = 5;

async function attempt(ctx: DownloadContext, req: DownloadRequest, url: string): Promise<Attempt> {
  const ref = describeUrl(url, ctx.apiKey);
  const fail = (
    failure: DownloadFailure,
    message: string,
    extra: { status?: number; cause?: unknown; file?: string } = {},
  ): DownloadError =>
    new DownloadError(scrubSecret(message, ctx.apiKey), ref, {
      failure,
      runId: req.runId,
      index: req.index,
      code: errorCode(extra.cause),
      ...extra,
    });
  let response: Dispatcher.ResponseData;
  try {
    response = await request(url, {
      dispatcher: ctx.dispatcher,
      method: "GET",
      headers: { accept: "image/png, image/jpeg, image/webp", "user-agent": USER_AGENT },
      headersTimeout: ctx.timeoutMs,
      bodyTimeout: ctx.timeoutMs,
      // bodyTimeout only bounds silence: a server trickling bytes would hold a slot forever.
      signal: AbortSignal.timeout(ctx.timeoutMs * DOWNLOAD_DEADLINE_FACTOR),
    });
  } catch (error) {
    throw fail(
      "network",
      `no answer (${errorCode(error) ?? "network error"}); the download can be retried.`,
      { cause: safeCause(error, ctx.apiKey) },
    );
  }
  const { statusCode: status, body } = response;
  if (REFUSED.has(status)) {
    await body.dump().catch(() => {});
    return { kind: "refused", status };
  }
  if (status < 200 || status >= 300) {
    await body.dump().catch(() => {});
    throw fail("http", `the URL answered ${status}.`, { status });
  }
  const contentType = header(response.headers["content-type"]);
  const ext = extensionFor(contentType);
  if (ext === null) {
    discard(body);
    throw fail(
      "content-type",
      `expected an image/png, image/jpeg or image/webp body, got ${JSON.stringify(contentType ?? "no content-type")}; the output is not an image this tool writes.`,
      { status },
    );
  }
  const lengthHeader = header(response.headers["content-length"]);
  const expected = lengthHeader !== null && /^\d+$/.test(lengthHeader) ? Number(lengthHeader) : null;
  if (expected !== null && expected > ctx.maxDownloadBytes) {
    discard(body);
    throw fail(
      "too-large",
      `content-length ${expected} exceeds the ${ctx.maxDownloadBytes}-byte cap (maxDownloadBytes).`,
      { status },
    );
  }
  if (req.writer) {
    const download = await toWriter(ctx, req, req.writer, { body, ext, expected, status, contentType, fail });
    return { kind: "done", download };
  }
  const path = `${req.destBase}.${ext}`;
  const tmp = join(req.tempDir ?? dirname(path), `${basename(path)}.tmp-${randomBytes(6).toString("hex")}`);
  let bytes = 0;
  let overCap = false;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      bytes += chunk.length;
      if (bytes > ctx.maxDownloadBytes) {
        overCap = true;
        callback(new Error("over the size cap"));
      } else callback(null, chunk);
    },
  });
  const makeDirs = async () => {
    await mkdir(dirname(path), { recursive: true });
    if (req.tempDir) await mkdir(req.tempDir, { recursive: true });
  };
  /** With dirsReady, a directory gone since is made again and the call tried once more. */
  const again = async <T>(call: () => Promise<T>): Promise<T> => {
    try {
      return await call();
    } catch (error) {
      if (!req.dirsReady || errorCode(error) !== "ENOENT") throw error;
      await makeDirs();
      return call();
    }
  };
  try {
    if (!req.dirsReady) await makeDirs();
    // Open before streaming, so the file exists when a failure removes it (a lazily opened
    // stream could create it after the rm below).
    const handle = await again(() => open(tmp, "wx"));
    await pipeline(body, counter, handle.createWriteStream());
    if (expected !== null && bytes !== expected)
      throw fail("truncated", `received ${bytes} of ${expected} bytes; the download can be retried.`, {
        status,
      });
    if (bytes === 0) throw fail("truncated", "the body was empty; the download can be retried.", { status });
    await again(() => rename(tmp, path));
  } catch (error) {
    discard(body);
    await rm(tmp, { force: true }).catch(() => {});
    if (error instanceof DownloadError) throw error;
    if (overCap)
      throw fail(
        "too-large",
        `the body exceeded the ${ctx.maxDownloadBytes}-byte cap (maxDownloadBytes); nothing was written.`,
        { status },
      );
    const cause = safeCause(error, ctx.apiKey);
    if (typeof error === "object" && error !== null && "path" in error) {
      const { syscall, path: where } = error as { syscall?: unknown; path?: unknown };
      const op = typeof syscall === "string" && typeof where === "string" ? ` (${syscall} ${where})` : "";
      const reason = `${errorCode(error) ?? "error"}${op}`;
      throw fail(
        "filesystem",
        `could not write ${path}: ${reason} (a local error on this machine, not Runflow's). ` +
          "Check the output directory exists, is writable and has space.",
        { cause, file: path },
      );
    }
    throw fail(
      "truncated",
      `the connection failed after ${bytes} bytes (${errorCode(error) ?? "error"}); nothing was written, the download can be retried.`,
      { status, cause },
    );
  }
  ctx.logger.debug({ runId: req.runId, index: req.index, path, bytes, contentType }, "Output downloaded");
  return {
    kind: "done",
    download: { path, bytes, contentType: contentType?.split(";")[0]?.trim().toLowerCase() ?? "" },
  };
}
