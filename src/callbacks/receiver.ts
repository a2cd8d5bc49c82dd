/**
 * The callback receiver: one small HTTP server per process that serves every batch. It reads the
 * raw body (capped), checks `Runflow-Signature` when a secret is set (401 for a missing or bad
 * one), answers 204 at once and announces the run once per run id; a repeated delivery (Runflow
 * delivers at least once) is answered 204 and changes nothing. What the callback says is never
 * recorded: the waiting row reads the run itself.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "../log/logger.js";
import type { ListenAddress } from "./listen-address.js";
import { createRecentSet } from "./recent-set.js";
import { callbackRunId, signatureMatches } from "./signature.js";

export interface ReceiverOptions {
  readonly listen: ListenAddress;
  /** RUNFLOW_CALLBACK_SECRET; null accepts unsigned callbacks (a wake is only a hint). */
  readonly secret: string | null;
  /** Called once per run id with a genuine callback. */
  readonly onCallback: (runId: string) => Promise<void>;
  readonly logger: Logger;
  /** Largest body accepted (default 256 KiB): Runflow's callbacks are a few KB. */
  readonly maxBodyBytes?: number;
}

interface ReceiverStats {
  readonly accepted: number;
  readonly repeated: number;
  readonly refused: number;
}

export interface CallbackReceiver {
  /** Where it listens, e.g. "http://127.0.0.1:41234" (the port chosen when 0 was asked for). */
  readonly address: string;
  readonly port: number;
  stats(): ReceiverStats;
  close(): Promise<void>;
}

const DEFAULT_MAX_BODY = 256 * 1024;
const SEEN_CAPACITY = 100_000;

class TooLarge extends Error {}

function readBody(req: IncomingMessage, max: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers["content-length"]);
    if (Number.isFinite(declared) && declared > max) return reject(new TooLarge());
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) {
        req.removeAllListeners("data");
        reject(new TooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function answer(res: ServerResponse, status: number, message?: string): void {
  if (message === undefined) {
    res.writeHead(status).end();
    return;
  }
  res
    .writeHead(status, { "content-type": "text/plain; charset=utf-8", connection: "close" })
    .end(`${message}\n`);
}

export async function startCallbackReceiver(options: ReceiverOptions): Promise<CallbackReceiver> {
  const { logger, secret } = options;
  const max = options.maxBodyBytes ?? DEFAULT_MAX_BODY;
  const seen = createRecentSet(SEEN_CAPACITY);
  const counts = { accepted: 0, repeated: 0, refused: 0 };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== "POST") return answer(res, 405, "Runflow callbacks are POSTed here.");
    let body: Buffer;
    try {
      body = await readBody(req, max);
    } catch (error) {
      counts.refused += 1;
      if (error instanceof TooLarge) return answer(res, 413, `A callback body is at most ${max} bytes.`);
      throw error;
    }
    const header = req.headers["runflow-signature"];
    if (secret !== null && !signatureMatches(secret, body, Array.isArray(header) ? header[0] : header)) {
      counts.refused += 1;
      logger.warn(
        { remote: req.socket.remoteAddress },
        "Refused a callback without a valid Runflow-Signature (401).",
      );
      return answer(res, 401, "Missing or invalid Runflow-Signature.");
    }
    const runId = callbackRunId(body);
    if (runId === null) {
      counts.refused += 1;
      return answer(res, 400, "Expected a Runflow callback: a JSON object with run_id.");
    }
    answer(res, 204);
    if (!seen.add(runId)) {
      counts.repeated += 1;
      return;
    }
    counts.accepted += 1;
    await options
      .onCallback(runId)
      .catch((err: unknown) =>
        logger.debug({ err, runId }, "Could not pass a callback on; polling will find the run."),
      );
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      logger.debug({ err }, "Callback request failed.");
      if (!res.headersSent) answer(res, 400, "Could not read the request.");
    });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.listen.port, options.listen.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const info = server.address() as AddressInfo;
  const host = info.family === "IPv6" ? `[${info.address}]` : info.address;
  return {
    address: `http://${host}:${info.port}`,
    port: info.port,
    stats: () => ({ ...counts }),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
