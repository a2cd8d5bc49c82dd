/**
 * A redis-server of a test's own, on a free port, in a temp directory with the append-only file
 * on: tests that kill Redis (kill -9) and start it again use it, never the shared Redis at 6379.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:net";
import { eventually } from "./eventually.js";
import { tempDir } from "./manifests.js";
import { answers } from "./redis.js";

export interface OwnRedis {
  readonly url: string;
  readonly port: number;
  /** SIGKILL: no shutdown save, only what the append-only file has. */
  kill9(): Promise<void>;
  /** Starts it again on the same port and directory; resolves once it answers PING. */
  start(): Promise<void>;
  /** Stops it for good (SIGKILL) and forgets it. */
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export async function startOwnRedis(): Promise<OwnRedis> {
  const port = await freePort();
  const dir = await tempDir("rfb-own-redis-");
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | null = null;
  const args = [
    "--port",
    String(port),
    "--bind",
    "127.0.0.1",
    "--dir",
    dir,
    "--appendonly",
    "yes",
    "--appendfsync",
    "always",
    "--save",
    "",
  ];
  const own: OwnRedis = {
    url,
    port,
    async kill9() {
      const running = child;
      child = null;
      if (!running || running.exitCode !== null || running.signalCode !== null) return;
      const exited = once(running, "exit");
      running.kill("SIGKILL");
      await exited;
    },
    async start() {
      const started = spawn("redis-server", args, { stdio: "ignore" });
      child = started;
      await eventually(() => answers(url), {
        timeoutMs: 15_000,
        what: `redis-server on port ${port} to answer`,
      });
    },
    async stop() {
      await own.kill9();
    },
  };
  await own.start();
  return own;
}
