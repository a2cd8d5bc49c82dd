/**
 * One JSON call to the Runflow API over a shared undici dispatcher (keep-alive, bounded pool).
 * The API key goes into the Authorization header and nowhere else: errors carry the method and
 * path, server-supplied text is scrubbed of the key, and causes are sanitised copies.
 */
import { request, type Dispatcher } from "undici";
import type { Logger } from "../log/logger.js";
import { RunflowApiError, RunflowNetworkError, RunflowResponseError, type RequestRef } from "./errors.js";
import { parseRetryAfter, readErrorBody } from "./read-error.js";

export interface HttpContext {
  readonly dispatcher: Dispatcher;
  readonly baseUrl: string;
  readonly apiKey: string;
  readonly organizationId: string | null;
  /** Per request: time to the response headers, and longest silence while reading the body. */
  readonly timeoutMs: number;
  readonly logger: Logger;
  readonly now: () => number;
}

export interface ApiResponse {
  readonly status: number;
  readonly body: unknown;
}

export const USER_AGENT = "runflow-batch/0.1 (+undici)";
const TIMEOUT_CODES: ReadonlySet<string> = new Set([
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
  "UND_ERR_CONNECT_TIMEOUT",
  "ETIMEDOUT",
]);

/** Replaces every occurrence of the secret; text without it comes back unchanged. */
export function scrubSecret(text: string, secret: string): string {
  return secret.length >= 4 && text.includes(secret) ? text.split(secret).join("[redacted]") : text;
}

/** A copy of an error chain (name, message, code, stack, cause) with the secret scrubbed out. */
export function safeCause(err: unknown, secret: string, depth = 0): unknown {
  if (!(err instanceof Error))
    return scrubSecret(typeof err === "string" ? err : (JSON.stringify(err) ?? String(err)), secret);
  const copy = new Error(scrubSecret(err.message, secret));
  copy.name = err.name;
  copy.stack = scrubSecret(err.stack ?? "", secret);
  const code = (err as { code?: unknown }).code;
  if (typeof code === "string") Object.assign(copy, { code });
  if (err.cause !== undefined && depth < 4) copy.cause = safeCause(err.cause, secret, depth + 1);
  return copy;
}

/** The error's code, looking one level into `cause` (undici wraps socket errors). */
export function errorCode(err: unknown): string | null {
  for (
    let current: unknown = err, depth = 0;
    current instanceof Error && depth < 3;
    current = current.cause, depth++
  ) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string") return code;
    if (current.name === "TimeoutError") return "ETIMEDOUT";
  }
  return null;
}

function networkError(ref: RequestRef, err: unknown, secret: string): RunflowNetworkError {
  const code = errorCode(err);
  const message = err instanceof Error ? err.message : String(err);
  const closed = code === "UND_ERR_DESTROYED" || code === "UND_ERR_CLOSED";
  const said = closed ? "the Runflow client was closed (shutting down?)" : message;
  const detail = scrubSecret(code === null ? said : `${code}: ${said}`, secret);
  const timedOut = code !== null && TIMEOUT_CODES.has(code);
  const cause = safeCause(err, secret);
  if (closed)
    return new RunflowNetworkError(ref, {
      code,
      timedOut,
      detail,
      hint: "The request can be retried by a running worker.",
      cause,
    });
  return new RunflowNetworkError(ref, { code, timedOut, detail, cause });
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false; error: unknown } {
  if (text.trim() === "") return { ok: true, value: null };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    return { ok: false, error };
  }
}

export async function callApi(
  ctx: HttpContext,
  method: "GET" | "POST",
  path: string,
  options: { body?: unknown; headers?: Readonly<Record<string, string>> } = {},
): Promise<ApiResponse> {
  const ref: RequestRef = { method, path };
  const headers: Record<string, string> = {
    accept: "application/json",
    "user-agent": USER_AGENT,
    ...options.headers,
    authorization: `Bearer ${ctx.apiKey}`,
  };
  if (ctx.organizationId !== null) headers["x-organization-id"] = ctx.organizationId;
  if (options.body !== undefined) headers["content-type"] = "application/json";
  const started = ctx.now();
  let status: number;
  let text: string;
  let retryAfter: string | string[] | undefined;
  try {
    const response = await request(`${ctx.baseUrl}${path}`, {
      dispatcher: ctx.dispatcher,
      method,
      headers,
      body: options.body === undefined ? null : JSON.stringify(options.body),
      headersTimeout: ctx.timeoutMs,
      bodyTimeout: ctx.timeoutMs,
    });
    status = response.statusCode;
    retryAfter = response.headers["retry-after"];
    text = await response.body.text();
  } catch (error) {
    const wrapped = networkError(ref, error, ctx.apiKey);
    ctx.logger.debug(
      { method, path, code: wrapped.code, durationMs: ctx.now() - started },
      "Runflow request failed without an answer",
    );
    throw wrapped;
  }
  ctx.logger.debug({ method, path, status, durationMs: ctx.now() - started }, "Runflow answered");
  const parsed = parseJson(text);
  if (status >= 200 && status < 300) {
    if (!parsed.ok) {
      // No cause: JSON.parse quotes the start of the body, which may be anything the server sent.
      const type = text.trimStart().startsWith("<") ? "HTML" : "text";
      throw new RunflowResponseError(ref, { status, detail: `${type} where JSON was expected` });
    }
    return { status, body: parsed.value };
  }
  const envelope = readErrorBody(parsed.ok ? parsed.value : text.slice(0, 200));
  const scrub = (value: string): string => scrubSecret(value, ctx.apiKey);
  throw new RunflowApiError(ref, {
    status,
    code: envelope.code === null ? null : scrub(envelope.code),
    serverMessage: envelope.message === null ? null : scrub(envelope.message),
    errors: envelope.errors.map(scrub),
    retryAfterMs: parseRetryAfter(retryAfter, ctx.now()),
  });
}
