/**
 * Losing Redis once connected: one warning when it goes, one line when it is back, whatever the
 * number of connections and reconnect attempts; commands issued meanwhile wait and complete;
 * past the Redis timeout, `gaveUp` rejects with exit 4. Uses a redis-server of its own.
 */
import { Writable } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { connectWatchedRedis, type ConnectedRedis } from "../../src/redis/connection.js";
import { createLogger } from "../../src/log/logger.js";
import { eventually } from "../helpers/eventually.js";
import { startOwnRedis, type OwnRedis } from "../helpers/own-redis.js";

function capture() {
  const lines: { level: number; msg: string }[] = [];
  const destination = new Writable({
    write: (chunk, _enc, done) => (lines.push(JSON.parse(String(chunk))), done()),
  });
  return { logger: createLogger({ level: "info", destination }), lines };
}

describe("Redis outages", () => {
  let own: OwnRedis | null = null;
  let connected: ConnectedRedis | null = null;
  afterEach(async () => {
    connected?.outage.close();
    connected?.redis.disconnect();
    await own?.stop();
  });

  it("logs one warning when Redis goes, one when it is back; commands sent meanwhile complete", async () => {
    own = await startOwnRedis();
    const { logger, lines } = capture();
    connected = await connectWatchedRedis(own.url, { logger });
    const { redis, outage } = connected;
    const others = [redis.duplicate(), redis.duplicate({ enableAutoPipelining: true })];
    await Promise.all(others.map((r) => r.set(`k-${r === others[0] ? 0 : 1}`, "v")));

    await own.kill9();
    await eventually(() => outage.down, { what: "the outage to be noticed" });
    const pending = redis.incr("counter"); // waits in ioredis' offline queue
    await own.start();
    expect(await pending).toBe(1);
    await eventually(() => !outage.down, { timeoutMs: 20_000, what: "every connection to be back" });
    expect(await others[1]!.get("k-1")).toBe("v"); // the append-only file kept it

    const messages = lines.map((l) => l.msg);
    expect(messages).toHaveLength(2);
    expect(messages[0]).toMatch(
      new RegExp(`^Lost Redis at redis://127\\.0\\.0\\.1:${own.port} \\(.*\\); work pauses`),
    );
    expect(lines[0]!.level).toBe(40);
    expect(messages[1]).toMatch(/^Redis at .* is back after \d+ m?s; work resumes\.$/);
    await Promise.all(others.map((r) => r.quit()));
  });

  it("gives up past the Redis timeout with a configuration error (exit 4) saying what to do", async () => {
    own = await startOwnRedis();
    const { logger, lines } = capture();
    connected = await connectWatchedRedis(own.url, { logger, redisTimeoutMs: 300 });
    const { redis, outage } = connected;
    const other = redis.duplicate();
    await other.ping();
    const pending = redis.get("x");
    pending.catch(() => undefined);
    await own.stop();
    await expect(outage.gaveUp).rejects.toMatchObject({
      exitCode: 4,
      message: expect.stringMatching(
        /^Redis at .* has been unreachable for 300 ms \(last error: ECONNREFUSED\); giving up/,
      ),
    });
    // Giving up closes every connection: that is not Redis coming back, and not a new outage.
    await eventually(() => redis.status === "end" && other.status === "end", {
      what: "every connection to be closed",
    });
    expect(lines.map((l) => l.msg)).toEqual([expect.stringMatching(/^Lost Redis at /)]);
  });
});
