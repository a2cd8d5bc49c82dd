/**
 * A download whose image goes to object storage (DownloadRequest.writer): the body is read whole
 * within the size cap and checked like a file's (length, not empty), and only then handed to the
 * writer as one body, so a failed download writes nothing and an object is whole or absent. A
 * write the store refuses is a "storage" failure: the output store's, never Runflow's.
 */
import type { Logger } from "../log/logger.js";
import { discard, type AnsweredBody } from "./download-body.js";
import { DownloadError } from "./errors.js";
import { errorCode, safeCause } from "./http.js";
import type { Download, DownloadRequest, OutputWriter } from "./types.js";

interface WriterContext {
  readonly maxDownloadBytes: number;
  readonly logger: Logger;
  readonly apiKey: string;
}

/**
 * Object storage: the body is read whole (within the size cap), checked like a file's, and only
 * then handed to the writer, which puts it as one object; a failed download writes nothing.
 */
export async function toWriter(
  ctx: WriterContext,
  req: DownloadRequest,
  writer: OutputWriter,
  got: AnsweredBody,
): Promise<Download> {
  const { body, expected, status, fail } = got;
  const chunks: Buffer[] = [];
  let bytes = 0;
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      bytes += chunk.length;
      if (bytes > ctx.maxDownloadBytes)
        throw fail(
          "too-large",
          `the body exceeded the ${ctx.maxDownloadBytes}-byte cap (maxDownloadBytes); nothing was written.`,
          { status },
        );
      chunks.push(chunk);
    }
  } catch (error) {
    discard(body);
    if (error instanceof DownloadError) throw error;
    throw fail(
      "truncated",
      `the connection failed after ${bytes} bytes (${errorCode(error) ?? "error"}); ` +
        "nothing was written, the download can be retried.",
      { status, cause: safeCause(error, ctx.apiKey) },
    );
  }
  if (expected !== null && bytes !== expected)
    throw fail("truncated", `received ${bytes} of ${expected} bytes; the download can be retried.`, {
      status,
    });
  if (bytes === 0) throw fail("truncated", "the body was empty; the download can be retried.", { status });
  const type = got.contentType?.split(";")[0]?.trim().toLowerCase() ?? "";
  const name = `${req.destBase}.${got.ext}`;
  let stored: string;
  try {
    stored = await writer.write(name, Buffer.concat(chunks, bytes), type);
  } catch (error) {
    // The store's error (outdir/store-errors.ts): its code, HTTP status and sentence.
    const e = (error ?? {}) as { path?: unknown; code?: unknown; status?: unknown; detail?: unknown };
    const file = typeof e.path === "string" ? e.path : name;
    const code = typeof e.code === "string" ? e.code : (errorCode(error) ?? "error");
    const status = typeof e.status === "number" ? ` (${e.status})` : "";
    const detail = typeof e.detail === "string" ? `: ${e.detail.replace(/[.\s]+$/, "")}` : "";
    throw fail(
      "storage",
      `could not write ${file}: ${code}${status}${detail} (the output store's error, not Runflow's). ` +
        "The row keeps its run and writes the image again when the store takes it.",
      { cause: error, file },
    );
  }
  ctx.logger.debug(
    { runId: req.runId, index: req.index, path: stored, bytes, contentType: type },
    "Output stored",
  );
  return { path: stored, bytes, contentType: type };
}
