import { describe, expect, it } from "vitest";
import { managedRedisConf, managedRedisPaths } from "./managed-config.js";

describe("the managed Redis's configuration", () => {
  const paths = managedRedisPaths("/home/ann/.local/state/runflow-batch");

  it("keeps everything in <state>/redis", () => {
    expect(paths).toEqual({
      dir: "/home/ann/.local/state/runflow-batch/redis",
      socket: "/home/ann/.local/state/runflow-batch/redis/redis.sock",
      pidfile: "/home/ann/.local/state/runflow-batch/redis/redis.pid",
      config: "/home/ann/.local/state/runflow-batch/redis/redis.conf",
      log: "/home/ann/.local/state/runflow-batch/redis/redis.log",
      startLock: "/home/ann/.local/state/runflow-batch/redis/start.lock",
    });
  });

  it("is append-only, noeviction, a private unix socket and no TCP unless asked (then 127.0.0.1 only)", () => {
    const conf = managedRedisConf(paths).split("\n");
    for (const line of [
      "daemonize yes",
      "appendonly yes",
      "maxmemory-policy noeviction",
      "unixsocketperm 700",
      "port 0",
      "bind 127.0.0.1",
    ]) {
      expect(conf).toContain(line);
    }
    expect(conf).toContain('unixsocket "/home/ann/.local/state/runflow-batch/redis/redis.sock"');
    expect(conf).toContain('pidfile "/home/ann/.local/state/runflow-batch/redis/redis.pid"');
    expect(managedRedisConf(paths, { port: 6380 }).split("\n")).toEqual(
      expect.arrayContaining(["port 6380", "bind 127.0.0.1"]),
    );
  });

  it("quotes paths with spaces and quotes", () => {
    const odd = managedRedisPaths('/Users/Ann "A" Lee/state');
    expect(managedRedisConf(odd)).toContain('dir "/Users/Ann \\"A\\" Lee/state/redis"');
  });
});
