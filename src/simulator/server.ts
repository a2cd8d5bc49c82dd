/**
 * The HTTP face of the simulator, on node:http directly (keep-alive, no framework, no per-request
 * URL objects). Every request first settles runs whose end time (on the engine's clock) has
 * passed. /v1 requests then go through auth (401), the rate limit (429) and the 5xx fault share
 * before their handler; /v1/health, output URLs and /__simulator/* skip all three.
 */
import { createServer } from "node:http";
import type { IncomingMessage, RequestListener, Server, ServerResponse } from "node:http";
import { camelCaseKeys, FIXED_OPTIONS, SimulatorOptionsError, type SimulatorOptions } from "./options.js";
import { createRun } from "./create-run.js";
import { serveOutput } from "./downloads.js";
import type { Engine } from "./engine.js";
import { retryAfterSeconds, pickServerFault } from "./faults.js";
import { BodyTooLargeError, parseJsonObject, readBody, sendError, sendJson } from "./http-io.js";
import { runRecord, type RenderContext } from "./record.js";

const RUNS_PATH = /^\/v1\/models\/((?:[A-Za-z0-9._-]+\/)+[A-Za-z0-9._-]+)\/runs\/?$/;
const RUN_PATH = /^\/v1\/runs\/([^/]+)\/?$/;
const HOST = /^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

function baseUrlFor(engine: Engine, req: IncomingMessage): string {
  const host = req.headers.host;
  return host !== undefined && HOST.test(host) ? `http://${host}` : engine.baseUrl;
}

function bearer(req: IncomingMessage): string | null {
  const header = req.headers.authorization;
  if (header === undefined || !header.startsWith("Bearer ")) return null;
  const key = header.slice(7).trim();
  return key === "" ? null : key;
}

function header(req: IncomingMessage, name: string): string | null {
  const value = req.headers[name];
  const text = Array.isArray(value) ? value[0] : value;
  return text === undefined || text === "" ? null : text;
}

async function handleAdmin(
  engine: Engine,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
): Promise<void> {
  if (path === "/__simulator/ledger" && req.method === "GET") return sendJson(res, 200, engine.ledger());
  const expire = /^\/__simulator\/runs\/([^/]+)\/expire-outputs$/.exec(path);
  if (expire && req.method === "POST") {
    const known = engine.expireOutputs(expire[1] as string);
    return known ? sendJson(res, 200, { ok: true }) : sendError(res, 404, "RUN_NOT_FOUND", "No such run.");
  }
  if (path === "/__simulator/config" && req.method === "POST") {
    const parsed = parseJsonObject(await readBody(req));
    if (!parsed.ok) return sendError(res, 400, "BAD_REQUEST", parsed.message);
    const changes = camelCaseKeys(parsed.value);
    const fixed = FIXED_OPTIONS.filter((key) => key in changes);
    if (fixed.length > 0) {
      const names = fixed.join(", ");
      const message = `${names} cannot be changed over HTTP; restart the simulator to change them.`;
      return sendError(res, 400, "BAD_REQUEST", message);
    }
    try {
      engine.configure(changes as Partial<SimulatorOptions>);
    } catch (error) {
      if (error instanceof SimulatorOptionsError) return sendError(res, 400, "BAD_REQUEST", error.message);
      throw error;
    }
    return sendJson(res, 200, { ok: true });
  }
  sendError(
    res,
    404,
    "NOT_FOUND",
    `No simulator endpoint ${req.method ?? "?"} ${path}; try GET /__simulator/ledger or POST /__simulator/config.`,
  );
}

async function handleApi(
  engine: Engine,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  now: number,
): Promise<void> {
  const runsMatch = req.method === "POST" ? RUNS_PATH.exec(path) : null;
  const idempotencyKey = header(req, "idempotency-key");
  if (runsMatch) engine.book.countCreate(idempotencyKey);
  const kind = runsMatch
    ? "create"
    : req.method === "GET" && RUN_PATH.test(path)
      ? "get"
      : path === "/v1/billing/balance"
        ? "balance"
        : "other";
  engine.book.countRequest(kind, now);

  const key = bearer(req);
  if (key === null || !engine.isAcceptedKey(key)) {
    req.resume();
    return sendError(
      res,
      401,
      "UNAUTHORIZED",
      "Missing or invalid API key; send Authorization: Bearer <key>.",
    );
  }
  const settings = engine.settings();
  const waitMs = engine.rateLimitWait(now);
  if (waitMs > 0) {
    engine.book.countRateLimited();
    req.resume();
    const headers: Record<string, string> = {};
    if (settings.retryAfter) headers["retry-after"] = retryAfterSeconds(waitMs);
    const message = "Too many requests (simulated rate limit); back off and retry.";
    return sendError(res, 429, "RATE_LIMITED", message, null, headers);
  }
  const fault = pickServerFault(engine.random("faults"), settings.errorRate);
  if (fault) {
    req.resume();
    return sendError(res, fault.status, fault.code, fault.message);
  }

  const baseUrl = baseUrlFor(engine, req);
  const ctx: RenderContext = {
    now,
    baseUrl,
    signer: engine.signer,
    ttlSeconds: settings.urlTtlSeconds,
    omitTiming: settings.omittedTiming,
  };
  if (runsMatch) {
    const raw = await readBody(req);
    const at = engine.clock.now();
    engine.settle(at);
    const origins = [new URL(engine.baseUrl).origin, new URL(baseUrl).origin];
    const result = createRun(engine, runsMatch[1] as string, raw, idempotencyKey, at, origins);
    if (result.kind === "error") {
      return sendError(res, result.status, result.code, result.message, result.errors ?? null);
    }
    const record = runRecord(result.run, { ...ctx, now: at }, result.kind === "created");
    const replayed = result.kind === "replayed" ? { "idempotent-replayed": "true" } : undefined;
    return sendJson(res, 201, record, replayed);
  }
  if (req.method === "GET") {
    const runMatch = RUN_PATH.exec(path);
    if (runMatch) {
      const run = engine.runs.get(runMatch[1] as string);
      if (!run) return sendError(res, 404, "RUN_NOT_FOUND", `No run ${JSON.stringify(runMatch[1])}.`);
      const record = runRecord(run, ctx);
      // A run whose outputs are no longer served (POST /__simulator/runs/{id}/expire-outputs) has none.
      if (engine.outputsGone(run.id)) record.output = null;
      return sendJson(res, 200, record);
    }
    if (path === "/v1/billing/balance") return sendJson(res, 200, engine.billing.balanceBody());
  }
  req.resume();
  sendError(res, 404, "NOT_FOUND", `No endpoint ${req.method ?? "?"} ${path}.`);
}

/** Answers every request from `engine`'s state. */
export function createRequestHandler(engine: Engine): RequestListener {
  return (req, res) => {
    const url = req.url ?? "/";
    const q = url.indexOf("?");
    const path = q === -1 ? url : url.slice(0, q);
    const now = engine.clock.now();
    engine.settle(now);
    let work: Promise<void> | void;
    if (path.startsWith("/v1/")) {
      work =
        path === "/v1/health" ? sendJson(res, 200, { status: "ok" }) : handleApi(engine, req, res, path, now);
    } else if (path.startsWith("/outputs/")) {
      work = serveOutput(engine, req, res, path, q === -1 ? "" : url.slice(q + 1), now);
    } else if (path.startsWith("/__simulator/")) {
      work = handleAdmin(engine, req, res, path);
    } else {
      work = sendError(res, 404, "NOT_FOUND", `No endpoint ${req.method ?? "?"} ${path}.`);
    }
    if (work) {
      work.catch((error: unknown) => {
        if (error instanceof BodyTooLargeError)
          return sendError(res, 413, "PAYLOAD_TOO_LARGE", error.message);
        engine.logger.error({ err: error, path }, "Simulator request failed.");
        if (!res.headersSent) sendError(res, 500, "INTERNAL_ERROR", "Internal simulator error.");
        else res.destroy();
      });
    }
  };
}

/** A keep-alive node:http server with no request listener yet (see createRequestHandler). */
export function createHttpServer(): Server {
  return createServer({ keepAlive: true, keepAliveTimeout: 65_000, headersTimeout: 66_000 });
}
