/**
 * The API key never appears in an error (message, stack, JSON, cause chain) nor in the logs,
 * whatever goes wrong — even when a careless server echoes the key back.
 */
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createRunflowClient } from "../../src/runflow/client.js";
import { RunflowError } from "../../src/runflow/errors.js";
import type { RunflowClient } from "../../src/runflow/types.js";
import { json, memoryLogger, rejection, startTinyServer, tempDir } from "../helpers/local-servers.js";

const KEY = "rf_live_REDACTME_7f3a9c2e5b";

/** Everything an error can show: message, stack, own properties, JSON, and the whole cause chain. */
function everythingIn(err: unknown, depth = 0): string {
  if (!(err instanceof Error) || depth > 6) return String(err) + safeJson(err);
  const own = Object.getOwnPropertyNames(err).map(
    (name) => `${name}=${String((err as unknown as Record<string, unknown>)[name])}`,
  );
  return [String(err), err.stack ?? "", safeJson(err), ...own, everythingIn(err.cause, depth + 1)].join("\n");
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value, Object.getOwnPropertyNames(value ?? {})) ?? "";
  } catch {
    return "";
  }
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe("the API key never leaks", () => {
  it("through 401, 402, 422, 429, 5xx, a reset, a timeout, a bad body or a download failure", async () => {
    const { logger, text } = memoryLogger();
    const server = await startTinyServer((req, res, raw) => {
      const echo = `received ${req.headers.authorization ?? ""}`; // a careless server echoing the key back
      if (req.url === "/v1/runs/401")
        return json(res, 401, { code: "UNAUTHORIZED", message: `bad key ${echo}`, errors: null });
      if (req.url === "/v1/runs/422")
        return json(res, 422, {
          code: "VALIDATION_ERROR",
          message: "invalid",
          errors: [{ field: "input.prompt", message: echo }],
        });
      if (req.url === "/v1/runs/402") return json(res, 402, { code: "INSUFFICIENT_CREDIT", message: echo });
      if (req.url === "/v1/runs/429")
        return json(res, 429, { code: "RATE_LIMITED", message: echo }, { "retry-after": "1" });
      if (req.url === "/v1/runs/500") return json(res, 500, { code: echo, message: echo });
      if (req.url === "/v1/runs/html")
        return void res.writeHead(200, { "content-type": "text/html" }).end(`<p>${echo}</p>`);
      if (req.url === "/v1/runs/reset") return raw.socket.destroy();
      if (req.url === "/v1/runs/slow") return;
      if (req.url.startsWith("/v1/runs/"))
        return json(res, 200, {
          id: "r",
          status_code: "succeeded",
          output: { image_urls: [`http://127.0.0.1:1/${KEY}`] },
        });
      if (req.url.startsWith("/gone")) return json(res, 410, { message: echo });
      res.writeHead(200, { "content-type": "text/plain" }).end(echo);
    });
    const client: RunflowClient = createRunflowClient({
      baseUrl: server.url,
      apiKey: KEY,
      logger,
      timeoutMs: 300,
    });
    const dir = await tempDir();
    cleanups.push(
      () => server.close(),
      () => client.close(),
      () => dir.remove(),
    );
    const offline = createRunflowClient({ baseUrl: "http://127.0.0.1:1", apiKey: KEY, logger });
    cleanups.push(() => offline.close());

    const failures = [
      ...["401", "402", "422", "429", "500", "html", "reset", "slow"].map((id) => client.getRun(id)),
      client.createRun({ model: "openai/gpt-image-2", input: { prompt: "x" }, idempotencyKey: "k" }), // a text/plain 200 echoing the key
      offline.getBalance(),
      offline.createRun({
        model: "openai/gpt-image-2",
        input: { prompt: KEY.slice(0, 3) },
        idempotencyKey: "k",
      }),
      client.downloadOutput({
        runId: "r",
        index: 0,
        url: `${server.url}/plain`,
        destBase: join(dir.path, "a"),
      }),
      client.downloadOutput({
        runId: "r",
        index: 0,
        url: `${server.url}/gone`,
        destBase: join(dir.path, "b"),
      }),
    ];
    const errors = await Promise.all(failures.map((failure) => rejection(failure)));
    expect(errors).toHaveLength(13);
    for (const err of errors) {
      expect(err).toBeInstanceOf(RunflowError);
      const shown = everythingIn(err);
      expect(shown, shown).not.toContain(KEY);
      expect(shown).not.toContain("REDACTME");
    }
    // Logging the errors the way the worker will (under `err`) must not leak either.
    for (const err of errors)
      logger.error(
        { err, apiKey: KEY, headers: { authorization: `Bearer ${KEY}` } },
        "Runflow request failed",
      );
    const logs = text();
    expect(logs.length).toBeGreaterThan(0);
    expect(logs).toContain("Runflow answered"); // trace/debug lines were captured
    expect(logs).not.toContain("REDACTME");
    expect(await dir.files()).toEqual([]);
  });

  it("an empty key is refused up front, pointing at RUNFLOW_API_KEY", () => {
    expect(() => createRunflowClient({ baseUrl: "http://127.0.0.1:1", apiKey: " " })).toThrow(
      /RUNFLOW_API_KEY/,
    );
  });
});
