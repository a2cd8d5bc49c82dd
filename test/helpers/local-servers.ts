/** Test helpers for the client: a tiny real HTTP server on port 0, temp dirs, a pino logger in memory. */
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { pino } from "pino";
import { REDACT_PATHS, type Logger } from "../../src/log/logger.js";

export interface Received {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage["headers"];
  readonly body: string;
}

export interface TinyServer {
  readonly url: string;
  readonly received: Received[];
  close(): Promise<void>;
}

/** A real node:http server; `handler` answers each request after its body was read. */
export async function startTinyServer(
  handler: (req: Received, res: ServerResponse, raw: IncomingMessage) => void,
): Promise<TinyServer> {
  const received: Received[] = [];
  const server = createServer((raw, res) => {
    const chunks: Buffer[] = [];
    raw.on("data", (chunk: Buffer) => chunks.push(chunk));
    raw.on("end", () => {
      const req = {
        method: raw.method ?? "",
        url: raw.url ?? "",
        headers: raw.headers,
        body: Buffer.concat(chunks).toString("utf8"),
      };
      received.push(req);
      handler(req, res, raw);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function json(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

export async function tempDir(): Promise<{
  path: string;
  files(): Promise<string[]>;
  remove(): Promise<void>;
}> {
  const path = await mkdtemp(join(tmpdir(), "runflow-client-"));
  return {
    path,
    files: async () => (await readdir(path, { recursive: true })).map(String).sort(),
    remove: () => rm(path, { recursive: true, force: true }),
  };
}

/** A pino logger at level trace, redacting like the product's, writing JSON lines into `lines`. */
export function memoryLogger(): { logger: Logger; lines: string[]; text(): string } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(chunk.toString("utf8"));
      callback();
    },
  });
  const logger = pino(
    { level: "trace", redact: { paths: REDACT_PATHS, censor: "[redacted]" }, base: null },
    stream,
  );
  return { logger, lines, text: () => lines.join("") };
}

/** Captures the rejection of a promise that must reject. */
export async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof Error) return error;
    throw new Error(`rejected with a non-Error: ${String(error)}`);
  }
  throw new Error("expected the promise to reject, it resolved");
}

/** 1×1 PNG. */
export const PNG_BYTES = Buffer.from(
  "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082",
  "hex",
);
