/**
 * A download whose image goes to a local file: streamed to `<tempDir or beside it>/<name>.<ext>.tmp-<random>`
 * within the size cap, checked against content-length (and not empty), then renamed into place, so
 * a file at the final path is always complete. A directory removed since it was made is made again.
 */
import { randomBytes } from "node:crypto";
import { mkdir, open, rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { Logger } from "../log/logger.js";
import { discard, type AnsweredBody, type Fail } from "./download-body.js";
import { DownloadError } from "./errors.js";
import { errorCode, safeCause } from "./http.js";
import type { Download, DownloadRequest } from "./types.js";

interface FileContext {
  readonly maxDownloadBytes: number;
  readonly logger: Logger;
  readonly apiKey: string;
}

/** Why writing the file failed, as the download's error. */
function writeFailure(
  error: unknown,
  ctx: FileContext,
  got: { fail: Fail; status: number; path: string; bytes: number; overCap: boolean },
): DownloadError {
  const { fail, status, path, bytes } = got;
  if (error instanceof DownloadError) return error;
  if (got.overCap)
    return fail(
      "too-large",
      `the body exceeded the ${ctx.maxDownloadBytes}-byte cap (maxDownloadBytes); nothing was written.`,
      { status },
    );
  const cause = safeCause(error, ctx.apiKey);
  if (typeof error === "object" && error !== null && "path" in error) {
    const { syscall, path: where } = error as { syscall?: unknown; path?: unknown };
    const op = typeof syscall === "string" && typeof where === "string" ? ` (${syscall} ${where})` : "";
    const reason = `${errorCode(error) ?? "error"}${op}`;
    return fail(
      "filesystem",
      `could not write ${path}: ${reason} (a local error on this machine, not Runflow's). ` +
        "Check the output directory exists, is writable and has space.",
      { cause, file: path },
    );
  }
  return fail(
    "truncated",
    `the connection failed after ${bytes} bytes (${errorCode(error) ?? "error"}); ` +
      "nothing was written, the download can be retried.",
    { status, cause },
  );
}

export async function toFile(ctx: FileContext, req: DownloadRequest, got: AnsweredBody): Promise<Download> {
  const { body, ext, expected, status, contentType, fail } = got;
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
    throw writeFailure(error, ctx, { fail, status, path, bytes, overCap });
  }
  ctx.logger.debug({ runId: req.runId, index: req.index, path, bytes, contentType }, "Output downloaded");
  return { path, bytes, contentType: contentType?.split(";")[0]?.trim().toLowerCase() ?? "" };
}
