import { spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/program.js";
import { parseLatency } from "../../src/cli/simulator.js";

function io() {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (c: Buffer) => (out += c.toString()));
  stderr.on("data", (c: Buffer) => (err += c.toString()));
  return { stdout, stderr, text: () => ({ out, err }) };
}

describe("runflow-batch simulator", () => {
  it("prints exactly `Runflow simulator listening on http://127.0.0.1:PORT` first with --port 0, serves, and stops on SIGTERM", async () => {
    const child = spawn(
      process.execPath,
      ["--import", "tsx", "src/cli/main.ts", "simulator", "--port", "0", "--latency", "10-20", "--seed", "3"],
      {
        cwd: new URL("../..", import.meta.url),
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    try {
      const lines = createInterface({ input: child.stdout });
      const [first] = (await once(lines, "line")) as [string];
      expect(first).toMatch(/^Runflow simulator listening on http:\/\/127\.0\.0\.1:\d+$/);
      const url = first.replace("Runflow simulator listening on ", "");
      expect(await (await fetch(`${url}/v1/health`)).json()).toEqual({ status: "ok" });
      const created = await fetch(`${url}/v1/models/openai/gpt-image-2/runs`, {
        method: "POST",
        headers: { authorization: "Bearer rf_cli", "content-type": "application/json" },
        body: JSON.stringify({ input: { prompt: "x" } }),
      });
      expect(created.status).toBe(201);
      const exited = once(child, "exit");
      child.kill("SIGTERM");
      const [code] = (await exited) as [number | null];
      expect(code).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
  });

  it("runs in-process until the signal aborts", async () => {
    const streams = io();
    const controller = new AbortController();
    const done = runCli(
      ["simulator", "--port", "0", "--api-key", "rf_a", "--api-key", "rf_b", "--balance", "2.5"],
      { ...streams, env: {}, signal: controller.signal },
    );
    await new Promise<void>((resolve) => streams.stdout.once("data", () => resolve()));
    const url = /listening on (\S+)/.exec(streams.text().out)?.[1] as string;
    const balance = await fetch(`${url}/v1/billing/balance`, { headers: { authorization: "Bearer rf_b" } });
    expect(await balance.json()).toMatchObject({ balance: "2.500000" });
    expect(
      (await fetch(`${url}/v1/billing/balance`, { headers: { authorization: "Bearer rf_c" } })).status,
    ).toBe(401);
    controller.abort();
    expect(await done).toBe(0);
    expect(streams.text().err).toContain("Runflow simulator stopped");
  });

  it.each([
    [["--port", "70000"], "--port must be a port number"],
    [["--latency", "40-15"], "--latency must be milliseconds"],
    [["--fail-rate", "1.5"], "--fail-rate must be a share from 0 to 1"],
    [["--error-rate", "x"], "--error-rate must be a share"],
    [["--rate-limit", "0"], "--rate-limit must be requests per second"],
    [["--balance", "-3"], "--balance must be a dollar amount"],
    [["--url-ttl", "0.5"], "--url-ttl must be whole seconds"],
    [["--seed", "abc"], "--seed must be a whole number"],
  ])("refuses %j with exit 2 and a clear message", async (args, message) => {
    const streams = io();
    const code = await runCli(["simulator", ...args], { ...streams, env: {}, signal: AbortSignal.abort() });
    expect(code).toBe(2);
    expect(streams.text().err).toContain(message);
    expect(streams.text().out).toBe("");
  });

  it("documents its flags in --help", async () => {
    const streams = io();
    expect(await runCli(["simulator", "--help"], { ...streams, env: {} })).toBe(0);
    for (const flag of [
      "--port",
      "--api-key",
      "--latency",
      "--fail-rate",
      "--error-rate",
      "--rate-limit",
      "--retry-after",
      "--balance",
      "--callback-secret",
      "--url-ttl",
      "--seed",
    ]) {
      expect(streams.text().out).toContain(flag);
    }
  });

  it("reads --latency as MS or MIN-MAX", () => {
    expect(parseLatency("500")).toBe(500);
    expect(parseLatency("15000-40000")).toEqual({ min: 15_000, max: 40_000 });
    expect(() => parseLatency("fast")).toThrow(/--latency/);
  });
});
