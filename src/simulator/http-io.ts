/** Small node:http helpers: JSON answers, Runflow's flat error envelope, bounded body reading. */
import type { IncomingMessage, ServerResponse } from "node:http";

const MAX_BODY_BYTES = 1024 * 1024;

export interface FieldError {
  readonly field: string;
  readonly message: string;
  readonly expected?: string;
  readonly found?: unknown;
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers?: Record<string, string>,
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/** `{"code","message","errors"}` — the flat envelope of docs/runflow-api.md. */
export function sendError(
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
  errors: readonly FieldError[] | null = null,
  headers?: Record<string, string>,
): void {
  sendJson(res, status, { code, message, errors }, headers);
}

export class BodyTooLargeError extends Error {}

/** Reads the whole body (at most MAX_BODY_BYTES). */
export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        req.removeAllListeners("data");
        req.resume();
        reject(new BodyTooLargeError(`request body larger than ${MAX_BODY_BYTES} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

/** Parses a JSON object body; returns a message instead when it is not one. */
export function parseJsonObject(
  raw: Buffer,
): { ok: true; value: Record<string, unknown> } | { ok: false; message: string } {
  if (raw.length === 0) return { ok: false, message: "expected a JSON object body, got an empty body" };
  let value: unknown;
  try {
    value = JSON.parse(raw.toString("utf8"));
  } catch (error) {
    return { ok: false, message: `expected a JSON object body: ${(error as Error).message}` };
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    return {
      ok: false,
      message: `expected a JSON object body, got ${Array.isArray(value) ? "an array" : JSON.stringify(value)}`,
    };
  }
  return { ok: true, value: value as Record<string, unknown> };
}

/** JSON with object keys sorted at every level: two bodies that mean the same compare equal. */
