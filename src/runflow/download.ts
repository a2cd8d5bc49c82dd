/**
 * Downloading one output image: stream to `<tempDir or beside it>/<name>.<ext>.tmp-<random>`, check the type, the
 * size cap and content-length, then rename into place, so a file at the final path is always
 * complete. Output URLs are presigned (and may be on another host): no Authorization header.
 * A 403/404/410 means the URL expired or was refused: re-read the run once and use the fresh URL.
 * An image bound for object storage (DownloadRequest.writer) is handed over whole instead of
 * renamed into place (download-writer.ts).
 */
import { request, type Dispatcher } from "undici";
import type { Logger } from "../log/logger.js";
import { DownloadError, type DownloadFailure, type RequestRef } from "./errors.js";
import { errorCode, safeCause, scrubSecret, USER_AGENT } from "./http.js";
import { discard } from "./download-body.js";
import { toFile } from "./download-file.js";
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
      `the URL answered ${first.status} and the re-read run has no output ${req.index} ` +
        `(it has ${run.outputUrls.length}).`,
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
    `the URL answered ${second.status} even after re-reading the run for a fresh one; ` +
      "the output may have been deleted. Retrying the row re-reads the run again.",
    describeUrl(fresh, ctx.apiKey),
    { failure: "expired", runId: req.runId, index: req.index, status: second.status },
  );
}

/**
 * A whole download may take this many per-request timeouts (150 s by default) before it is
 * abandoned and retried.
 */
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
      "expected an image/png, image/jpeg or image/webp body, " +
        `got ${JSON.stringify(contentType ?? "no content-type")}; the output is not an image this tool writes.`,
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
  const download = await toFile(ctx, req, { body, ext, expected, status, contentType, fail });
  return { kind: "done", download };
}
