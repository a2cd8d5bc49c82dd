/**
 * GET /outputs/{run id}/{index}.{ext}?expires&sig — the image bytes behind a presigned URL.
 * Faults: `downloadDelayMs` waits (on the simulator's clock) before the first byte;
 * `truncateRate` sends the full Content-Length header, about half the bytes, then destroys the
 * socket.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { EXTENSIONS } from "./dimensions.js";
import type { Engine } from "./engine.js";
import { sendError } from "./http-io.js";
import { imageBytes, parseOutputPath } from "./outputs.js";
import { statusAt } from "./run-store.js";

export function serveOutput(
  engine: Engine,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  query: string,
  now: number,
): void {
  if (req.method !== "GET" && req.method !== "HEAD") {
    sendError(
      res,
      405,
      "METHOD_NOT_ALLOWED",
      `${req.method ?? "?"} is not allowed on an output URL; use GET.`,
    );
    return;
  }
  const verdict = engine.signer.verify(path, new URLSearchParams(query), now);
  if (verdict === "expired") {
    sendError(res, 403, "URL_EXPIRED", "This output URL has expired; GET the run again for fresh URLs.");
    return;
  }
  if (verdict === "invalid") {
    sendError(
      res,
      403,
      "SIGNATURE_INVALID",
      "This output URL's signature is missing or wrong; use the URL exactly as the run record gives it.",
    );
    return;
  }
  const parts = parseOutputPath(path);
  const run = parts ? engine.runs.get(parts.runId) : undefined;
  if (run && engine.outputsGone(run.id)) {
    sendError(
      res,
      410,
      "OUTPUT_EXPIRED",
      "This run's outputs are no longer kept; they cannot be downloaded.",
    );
    return;
  }
  if (
    !parts ||
    !run ||
    statusAt(run, now) !== "succeeded" ||
    parts.index >= run.output.count ||
    parts.ext !== EXTENSIONS[run.output.format]
  ) {
    sendError(res, 404, "NOT_FOUND", "No such output.");
    return;
  }
  const settings = engine.settings();
  const { body, contentType } = imageBytes(settings.seed, run, parts.index);
  const truncate = engine.random("downloads").chance(settings.truncateRate);
  const send = () => {
    if (res.destroyed) return;
    res.writeHead(200, {
      "content-type": contentType,
      "content-length": body.length,
      "cache-control": "private, max-age=3600",
    });
    if (req.method === "HEAD") {
      res.end();
    } else if (truncate) {
      engine.book.countDownload(true);
      res.write(body.subarray(0, Math.max(1, Math.floor(body.length / 2))), () => res.destroy());
    } else {
      engine.book.countDownload(false);
      res.end(body);
    }
  };
  if (settings.downloadDelayMs > 0) engine.clock.schedule(settings.downloadDelayMs, send);
  else send();
}
