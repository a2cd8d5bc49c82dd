/**
 * An output's answered body, as the places it is written to take it (download-file.ts,
 * download-writer.ts): the body and what its headers said, and how a failure is made.
 */
import type { Dispatcher } from "undici";
import type { DownloadError, DownloadFailure } from "./errors.js";

export type Fail = (
  failure: DownloadFailure,
  message: string,
  extra?: { status?: number; cause?: unknown; file?: string },
) => DownloadError;

export interface AnsweredBody {
  readonly body: Dispatcher.ResponseData["body"];
  /** The file extension of its content type: png, jpg or webp. */
  readonly ext: string;
  /** Its content-length, when it said one. */
  readonly expected: number | null;
  readonly status: number;
  readonly contentType: string | null;
  readonly fail: Fail;
}

/** Drops a response body without reading it; undici reports the abort as an error event, which is expected here. */
export function discard(body: Dispatcher.ResponseData["body"]): void {
  body.on("error", () => {});
  body.destroy();
}
