/**
 * A redis-server of the bench's own, on a free port, with nothing persisted: its memory and CPU
 * are the bench's alone, and FLUSHALL touches nobody else's keys.
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:net";
import { Redis } from "ioredis";

export interface PrivateRedis {
  readonly url: string;
  /** INFO memory used_memory, in bytes. */
  usedMemory(): Promise<number>;
  flush(): Promise<unknown>;
  readonly redis: Redis;
  stop(): Promise<void>;
}

/** A port free on 127.0.0.1 just now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, "close");
  return port;
}

export async function privateRedis(dir: string): Promise<PrivateRedis> {
  const port = await freePort();
  const args = ["--port", String(port), "--save", "", "--appendonly", "no", "--dir", dir];
  const child = spawn("redis-server", args, { stdio: "ignore" });
  const url = `redis://127.0.0.1:${port}`;
  const redis = new Redis(url, { maxRetriesPerRequest: null, lazyConnect: true, retryStrategy: () => null });
  redis.on("error", () => undefined); // refused while the server starts: tried again below
  for (let i = 0; ; i++) {
    try {
      await redis.connect();
      break;
    } catch (error) {
      if (i > 50) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100)); // the server is starting
    }
  }
  return {
    url,
    redis,
    usedMemory: async () => Number(/used_memory:(\d+)/.exec(await redis.info("memory"))?.[1]),
    flush: () => redis.flushall(),
    async stop() {
      redis.disconnect();
      child.kill("SIGTERM");
      await once(child, "exit");
    },
  };
}
