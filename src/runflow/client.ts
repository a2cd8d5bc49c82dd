/**
 * The Runflow client: create and read runs, read the balance, download outputs. One undici Agent
 * per client (keep-alive, `connections` sockets per origin at most), so one process can hold
 * thousands of runs in flight: requests beyond the pool wait in undici's queue, not in sockets.
 * The client never retries API calls itself: classifyError (errors.ts) tells the caller what to
 * do. Its one retry is the documented one: a refused output URL → re-read the run once.
 */
import { Agent, interceptors } from "undici";
import { CLIENT_DEFAULTS } from "../config/defaults.js";
import { ConfigurationError } from "../core/errors.js";
import { silentLogger, type Logger } from "../log/logger.js";
import { downloadOutput } from "./download.js";
import { RunflowResponseError } from "./errors.js";
import { callApi, safeCause, type HttpContext } from "./http.js";
import { readBalance, readRun, UnreadableBodyError, type ReadWarning } from "./read-run.js";
import type { Balance, CreateRunRequest, Download, DownloadRequest, Run, RunflowClient } from "./types.js";

export interface RunflowClientOptions {
  /** e.g. "https://api.runflow.io" or the simulator's url; a trailing slash is ignored. */
  readonly baseUrl: string;
  readonly apiKey: string;
  readonly logger?: Logger;
  /** Per request: time to the response headers and longest silence in the body (CLIENT_DEFAULTS). */
  readonly timeoutMs?: number;
  /** Sockets per origin (API, and each output host) (CLIENT_DEFAULTS). */
  readonly connections?: number;
  /** Largest output accepted (CLIENT_DEFAULTS). */
  readonly maxDownloadBytes?: number;
  /** Sent as X-Organization-Id. */
  readonly organizationId?: string;
  /** Clock for durations and Retry-After dates; tests only. */
  readonly now?: () => number;
}

/** "openai/gpt-image-2/edit" → "openai/gpt-image-2/edit", each segment URL-encoded. */
export function modelPath(model: string): string {
  return model
    .split("/")
    .filter((segment) => segment !== "")
    .map(encodeURIComponent)
    .join("/");
}

/** One undici Agent per client: keep-alive, `connections` sockets per origin at most. */
function createAgent(options: RunflowClientOptions, timeoutMs: number): Agent {
  return new Agent({
    connections: options.connections ?? CLIENT_DEFAULTS.connections,
    keepAliveTimeout: 10_000,
    keepAliveMaxTimeout: 60_000,
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    connect: { timeout: Math.min(timeoutMs, 10_000) },
  });
}

/** A run or balance field this client cannot read, said once per occurrence. */
function warnWith(logger: Logger): (warning: ReadWarning) => void {
  return (warning) => {
    if (warning.kind === "unknown-status") {
      logger.warn(
        { runId: warning.runId, status: warning.status },
        "Runflow reported a status this client does not know; treating the run as still running",
      );
    } else {
      logger.warn(
        { runId: warning.runId, cost: warning.cost },
        "Runflow reported a cost this client cannot read; recording it as unknown",
      );
    }
  };
}

/** Reads a 2xx body; a body that is not a run (or balance) is a RunflowResponseError. */
function read<T>(
  apiKey: string,
  request: { method: string; path: string; status: number; body: unknown },
  reader: (body: unknown) => T,
): T {
  const { method, path, status } = request;
  try {
    return reader(request.body);
  } catch (error) {
    if (error instanceof UnreadableBodyError) {
      throw new RunflowResponseError(
        { method, path },
        { status, detail: error.message, cause: safeCause(error, apiKey) },
      );
    }
    throw error;
  }
}

/** The JSON body of a create. */
function createBody(request: CreateRunRequest): Record<string, unknown> {
  const body: Record<string, unknown> = { input: request.input };
  if (request.metadata !== undefined) body.metadata = request.metadata;
  if (request.callbackUrl !== undefined) body.callback_url = request.callbackUrl;
  if (request.clientRef !== undefined) body.client_ref = request.clientRef;
  return body;
}

export function createRunflowClient(options: RunflowClientOptions): RunflowClient {
  if (options.apiKey.trim() === "")
    throw new ConfigurationError("No Runflow API key: set RUNFLOW_API_KEY (keys look like rf_live_…).");
  const timeoutMs = options.timeoutMs ?? CLIENT_DEFAULTS.timeoutMs;
  const logger = (options.logger ?? silentLogger()).child({ component: "runflow" });
  const agent = createAgent(options, timeoutMs);
  // Output hosts may redirect (CDNs); the API never does.
  const downloadDispatcher = agent.compose(interceptors.redirect({ maxRedirections: 3 }));
  const http: HttpContext = {
    dispatcher: agent,
    baseUrl: options.baseUrl.replace(/\/+$/, ""),
    apiKey: options.apiKey,
    organizationId: options.organizationId ?? null,
    timeoutMs,
    logger,
    now: options.now ?? Date.now,
  };
  let closing: Promise<void> | null = null;
  const onWarning = warnWith(logger);
  const runOf = (json: unknown) => readRun(json, onWarning);

  async function getRun(id: string): Promise<Run> {
    const path = `/v1/runs/${encodeURIComponent(id)}`;
    const response = await callApi(http, "GET", path);
    return read(options.apiKey, { method: "GET", path, ...response }, runOf);
  }

  return {
    async createRun(request: CreateRunRequest): Promise<Run> {
      const path = `/v1/models/${modelPath(request.model)}/runs`;
      const response = await callApi(http, "POST", path, {
        body: createBody(request),
        headers: { "idempotency-key": request.idempotencyKey },
      });
      const run = read(options.apiKey, { method: "POST", path, ...response }, runOf);
      logger.debug({ runId: run.id, model: request.model, status: run.status }, "Run created");
      return run;
    },
    getRun,
    async getBalance(): Promise<Balance> {
      const path = "/v1/billing/balance";
      const response = await callApi(http, "GET", path);
      return read(options.apiKey, { method: "GET", path, ...response }, readBalance);
    },
    downloadOutput(request: DownloadRequest): Promise<Download> {
      const maxDownloadBytes = options.maxDownloadBytes ?? CLIENT_DEFAULTS.maxDownloadBytes;
      const ctx = {
        dispatcher: downloadDispatcher,
        timeoutMs,
        maxDownloadBytes,
        logger,
        apiKey: options.apiKey,
      };
      return downloadOutput({ ...ctx, getRun }, request);
    },
    close(): Promise<void> {
      closing ??= agent.close();
      return closing;
    },
  };
}
