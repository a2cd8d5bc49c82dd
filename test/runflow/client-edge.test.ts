/**
 * Client behaviour the simulator does not produce, against tiny real HTTP servers on port 0:
 * a 200 on create, the "cancelled" spelling, image_urls-only output, odd content types, oversize
 * and truncated downloads, resets and timeouts.
 */
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createRunflowClient } from "../../src/runflow/client.js";
import {
  classifyError,
  DownloadError,
  RunflowApiError,
  RunflowNetworkError,
  RunflowResponseError,
} from "../../src/runflow/errors.js";
import {
  json,
  memoryLogger,
  PNG_BYTES,
  rejection,
  startTinyServer,
  tempDir,
} from "../helpers/local-servers.js";

const KEY = "rf_test_edge_key_0123456789";
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(
  handler: Parameters<typeof startTinyServer>[0],
  options: { timeoutMs?: number; maxDownloadBytes?: number; now?: () => number } = {},
) {
  const server = await startTinyServer(handler);
  const client = createRunflowClient({
    baseUrl: `${server.url}/`,
    apiKey: KEY,
    organizationId: "org_1",
    ...options,
  });
  const dir = await tempDir();
  cleanups.push(
    () => server.close(),
    () => client.close(),
    () => dir.remove(),
  );
  return { server, client, dir };
}

const run = (extra: Record<string, unknown> = {}) => ({
  id: "run_1",
  status_code: "queued",
  output: null,
  cost: null,
  ...extra,
});

describe("API calls", () => {
  it("creates a run: path, headers and body as documented; a 200 is accepted like a 201", async () => {
    const { server, client } = await setup((_req, res) => json(res, 200, run()));
    const created = await client.createRun({
      model: "openai/gpt-image-2/edit",
      input: { prompt: "a red chair", image_urls: ["https://x/1.png"] },
      idempotencyKey: "batch-1:row-7",
      metadata: { sku: "A1" },
      callbackUrl: null,
      clientRef: "row-7",
    });
    expect(created).toMatchObject({ id: "run_1", status: "queued", terminal: false, outputUrls: [] });
    const [req] = server.received;
    expect(req?.method).toBe("POST");
    expect(req?.url).toBe("/v1/models/openai/gpt-image-2/edit/runs");
    expect(req?.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(req?.headers["idempotency-key"]).toBe("batch-1:row-7");
    expect(req?.headers["content-type"]).toBe("application/json");
    expect(req?.headers["x-organization-id"]).toBe("org_1");
    expect(JSON.parse(req?.body ?? "")).toEqual({
      input: { prompt: "a red chair", image_urls: ["https://x/1.png"] },
      metadata: { sku: "A1" },
      callback_url: null,
      client_ref: "row-7",
    });
  });

  it("leaves out optional fields that were not given", async () => {
    const { server, client } = await setup((_req, res) => json(res, 202, run()));
    await client.createRun({ model: "openai/gpt-image-2", input: { prompt: "x" }, idempotencyKey: "k" });
    expect(JSON.parse(server.received[0]?.body ?? "")).toEqual({ input: { prompt: "x" } });
  });

  it("reads the cancelled spelling and image_urls-only output", async () => {
    const { client } = await setup((req, res) =>
      json(
        res,
        200,
        req.url === "/v1/runs/c"
          ? run({ id: "c", status_code: "cancelled" })
          : run({
              id: "s",
              status_code: "succeeded",
              cost: "0.018000",
              output: { image_urls: ["http://h/1.png", "http://h/2.png"] },
            }),
      ),
    );
    expect(await client.getRun("c")).toMatchObject({ status: "canceled", terminal: true });
    expect(await client.getRun("s")).toMatchObject({
      status: "succeeded",
      outputUrls: ["http://h/1.png", "http://h/2.png"],
      costMicros: 18_000,
    });
  });

  it("a 200 that is not JSON is a RunflowResponseError, retried", async () => {
    const { client } = await setup((_req, res) => {
      res.writeHead(200, { "content-type": "text/html" });
      res.end("<html>proxy login</html>");
    });
    const err = await rejection(client.getRun("x"));
    expect(err).toBeInstanceOf(RunflowResponseError);
    expect(err.message).toContain("GET /v1/runs/x");
    expect(classifyError(err).kind).toBe("retry");
  });

  it("reads Retry-After as an HTTP date", async () => {
    const now = Date.UTC(2026, 4, 6, 10, 0, 0); // the client's clock: a whole second
    const { client } = await setup(
      (_req, res) =>
        json(
          res,
          429,
          { code: "RATE_LIMITED", message: "slow down", errors: null },
          { "retry-after": new Date(now + 5000).toUTCString() },
        ),
      { now: () => now },
    );
    const decision = classifyError(await rejection(client.getBalance()));
    expect(decision).toEqual({ kind: "rate-limited", retryAfterMs: 5000 });
  });

  it("a connection reset is a RunflowNetworkError, retried", async () => {
    const { client } = await setup((_req, _res, raw) => raw.socket.destroy());
    const err = await rejection(client.getRun("x"));
    expect(err).toBeInstanceOf(RunflowNetworkError);
    expect(err.message).toContain("GET /v1/runs/x");
    expect(classifyError(err).kind).toBe("retry");
  });

  it("a server that never answers times out after timeoutMs", async () => {
    const { client, server } = await setup(() => {}, { timeoutMs: 300 });
    // A client on the default timeout, asking the same silent server first.
    const patient = createRunflowClient({ baseUrl: server.url, apiKey: KEY });
    let patientSettled = false;
    const waiting = patient.getRun("y").then(
      () => (patientSettled = true),
      () => (patientSettled = true),
    );
    // Closed last, once the server has dropped its connections.
    cleanups.unshift(async () => {
      await waiting;
      await patient.close();
    });
    const err = await rejection(client.getRun("x"));
    expect(err).toBeInstanceOf(RunflowNetworkError);
    // Its own timeout ended it: the answer's headers did not come in time (not a reset, not a close).
    expect((err as RunflowNetworkError).code).toBe("UND_ERR_HEADERS_TIMEOUT");
    expect((err as RunflowNetworkError).timedOut).toBe(true);
    // … and not a default: the client on the default (CLIENT_DEFAULTS.timeoutMs) still waits.
    expect(patientSettled).toBe(false);
    expect(classifyError(err).kind).toBe("retry");
  });

  it("reads an unknown status as not terminal and logs a warning", async () => {
    const { server } = await setup((_req, res) =>
      json(res, 200, run({ status_code: "awaiting_moderation" })),
    );
    const captured = memoryLogger();
    const client = createRunflowClient({ baseUrl: server.url, apiKey: KEY, logger: captured.logger });
    cleanups.push(() => client.close());
    expect(await client.getRun("run_1")).toMatchObject({ status: "running", terminal: false });
    const warning = captured.lines
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .find((line) => line.level === 40);
    expect(warning).toMatchObject({ runId: "run_1", status: "awaiting_moderation", component: "runflow" });
  });

  it("close() can be called twice; a request after it fails as a retryable network error", async () => {
    const { client } = await setup((_req, res) => json(res, 200, run()));
    await client.close();
    await client.close();
    const err = await rejection(client.getRun("x"));
    expect(err).toBeInstanceOf(RunflowNetworkError);
    expect(err.message).toContain("closed");
    expect(classifyError(err).kind).toBe("retry");
  });

  it("an HTML 502 from a proxy is still an API error, retried", async () => {
    const { client } = await setup((_req, res) => {
      res.writeHead(502, { "content-type": "text/html" });
      res.end("<html>Bad gateway</html>");
    });
    const err = await rejection(client.getRun("x"));
    expect(err).toBeInstanceOf(RunflowApiError);
    expect((err as RunflowApiError).status).toBe(502);
    expect(classifyError(err).kind).toBe("retry");
  });
});

describe("downloads", () => {
  it("writes into a new nested directory, sends no Authorization header, names the file by type", async () => {
    const { server, client, dir } = await setup((_req, res) => {
      res.writeHead(200, { "content-type": "image/png", "content-length": PNG_BYTES.length });
      res.end(PNG_BYTES);
    });
    const destBase = join(dir.path, "a", "b", "row-1");
    const download = await client.downloadOutput({
      runId: "r",
      index: 0,
      url: `${server.url}/o/1.png?sig=abc`,
      destBase,
    });
    expect(download).toEqual({ path: `${destBase}.png`, bytes: PNG_BYTES.length, contentType: "image/png" });
    expect(await readFile(download.path)).toEqual(PNG_BYTES);
    expect(server.received[0]?.headers.authorization).toBeUndefined();
    expect(await dir.files()).toEqual(["a", "a/b", "a/b/row-1.png"]);
  });

  it("refuses a type that is not PNG, JPEG or WebP, leaving no file", async () => {
    const { server, client, dir } = await setup((_req, res) => {
      res.writeHead(200, { "content-type": "text/html" });
      res.end("<html>expired</html>");
    });
    const err = await rejection(
      client.downloadOutput({ runId: "r", index: 0, url: `${server.url}/o`, destBase: join(dir.path, "x") }),
    );
    expect(err).toBeInstanceOf(DownloadError);
    expect((err as DownloadError).failure).toBe("content-type");
    expect(err.message).toContain("text/html");
    expect(classifyError(err).kind).toBe("permanent");
    expect(await dir.files()).toEqual([]);
  });

  it.each([
    ["with content-length", true],
    ["streamed without content-length", false],
  ])("refuses a body over the cap (%s), leaving no file", async (_label, withLength) => {
    const big = Buffer.alloc(64 * 1024, 7);
    const { server, client, dir } = await setup(
      (_req, res) => {
        res.writeHead(
          200,
          withLength
            ? { "content-type": "image/webp", "content-length": big.length }
            : { "content-type": "image/webp" },
        );
        for (let i = 0; i < 4; i++) res.write(big.subarray(i * 16384, (i + 1) * 16384));
        res.end();
      },
      { maxDownloadBytes: 20_000 },
    );
    const err = await rejection(
      client.downloadOutput({
        runId: "r",
        index: 0,
        url: `${server.url}/o`,
        destBase: join(dir.path, "big"),
      }),
    );
    expect((err as DownloadError).failure).toBe("too-large");
    expect(classifyError(err).kind).toBe("permanent");
    expect(await dir.files()).toEqual([]);
  });

  it("a server that trickles bytes forever is cut off at the download deadline, retryably, leaving no file", async () => {
    const timers: NodeJS.Timeout[] = [];
    const { server, client, dir } = await setup(
      (_req, res) => {
        res.writeHead(200, { "content-type": "image/png", "content-length": 100_000 });
        timers.push(setInterval(() => res.write(Buffer.alloc(1)), 50)); // never silent long enough for bodyTimeout
      },
      { timeoutMs: 200 },
    );
    cleanups.push(async () => timers.forEach(clearInterval));
    const err = await rejection(
      client.downloadOutput({
        runId: "r",
        index: 0,
        url: `${server.url}/o`,
        destBase: join(dir.path, "slow"),
      }),
    );
    expect(err).toBeInstanceOf(DownloadError);
    expect(classifyError(err).kind).toBe("retry");
    expect(await dir.files()).toEqual([]);
  });

  it("a body shorter than its content-length is an error and leaves no file", async () => {
    const { server, client, dir } = await setup((_req, res, raw) => {
      res.writeHead(200, { "content-type": "image/jpeg", "content-length": 10_000 });
      res.write(Buffer.alloc(4000, 1), () => setTimeout(() => raw.socket.destroy(), 20));
    });
    const err = await rejection(
      client.downloadOutput({
        runId: "r",
        index: 0,
        url: `${server.url}/o`,
        destBase: join(dir.path, "cut"),
      }),
    );
    expect(err).toBeInstanceOf(DownloadError);
    expect((err as DownloadError).failure).toBe("truncated");
    expect(classifyError(err).kind).toBe("retry");
    expect(await dir.files()).toEqual([]);
  });

  it("a destination it cannot create is a local error naming the file, not Runflow's", async () => {
    const { server, client, dir } = await setup((_req, res) => {
      res.writeHead(200, { "content-type": "image/png", "content-length": PNG_BYTES.length });
      res.end(PNG_BYTES);
    });
    await writeFile(join(dir.path, "file"), "not a directory");
    const err = await rejection(
      client.downloadOutput({
        runId: "r",
        index: 0,
        url: `${server.url}/o`,
        destBase: join(dir.path, "file", "row"),
      }),
    );
    expect((err as DownloadError).failure).toBe("filesystem");
    expect(err.message).toContain("writable");
    expect((err as DownloadError).file).toBe(join(dir.path, "file", "row.png"));
    expect(err.message).toMatch(/could not write .*row\.png: E[A-Z]+ \(mkdir .*file.*\) \(a local error/);
    expect(classifyError(err).kind).toBe("local");
    expect((err as DownloadError).exitCode).toBe(2);
  });

  it("on 410 re-reads the run once and downloads the fresh URL", async () => {
    const { server, client, dir } = await setup((req, res) => {
      if (req.url.startsWith("/v1/runs/"))
        return json(
          res,
          200,
          run({
            id: "r",
            status_code: "succeeded",
            output: { outputs: [{ url: `${server.url}/old/0` }, { url: `${server.url}/fresh/1` }] },
          }),
        );
      if (req.url.startsWith("/old/")) return json(res, 410, { message: "expired" });
      res.writeHead(200, { "content-type": "image/jpeg" });
      res.end(Buffer.from("jpeg bytes"));
    });
    const download = await client.downloadOutput({
      runId: "r",
      index: 1,
      url: `${server.url}/old/1`,
      destBase: join(dir.path, "row"),
    });
    expect(download.path).toBe(join(dir.path, "row.jpg"));
    expect(server.received.map((req) => req.url)).toEqual(["/old/1", "/v1/runs/r", "/fresh/1"]);
    expect(server.received[1]?.headers.authorization).toBe(`Bearer ${KEY}`);
  });

  it("a URL refused even after the refresh is an `expired` DownloadError; the run is read only once", async () => {
    const { server, client, dir } = await setup((req, res) => {
      if (req.url.startsWith("/v1/runs/"))
        return json(
          res,
          200,
          run({ id: "r", status_code: "succeeded", output: { image_urls: [`${server.url}/still-bad`] } }),
        );
      json(res, 403, { message: "AccessDenied" });
    });
    const err = await rejection(
      client.downloadOutput({
        runId: "r",
        index: 0,
        url: `${server.url}/bad`,
        destBase: join(dir.path, "row"),
      }),
    );
    expect((err as DownloadError).failure).toBe("expired");
    expect(server.received.filter((req) => req.url.startsWith("/v1/runs/"))).toHaveLength(1);
    expect(await dir.files()).toEqual([]);
  });
});
