import { describe, expect, it } from "vitest";
import { describeCluster, parseClusterUrl } from "./cluster.js";

describe("REDIS_URL of a Redis Cluster", () => {
  it("names one or more nodes, with the first URL's credentials and TLS for every node", () => {
    const target = parseClusterUrl("rediss://app:s%3Acret@10.0.0.1:7000, rediss://10.0.0.2 ,");
    expect(target).toEqual({
      nodes: [
        { host: "10.0.0.1", port: 7000 },
        { host: "10.0.0.2", port: 6379 },
      ],
      username: "app",
      password: "s:cret",
      tls: true,
    });
    expect(describeCluster(target)).toBe(
      "the Redis Cluster at rediss://10.0.0.1:7000, rediss://10.0.0.2:6379",
    );
    expect(parseClusterUrl("redis://[::1]:7001/0").nodes).toEqual([{ host: "::1", port: 7001 }]);
    expect(parseClusterUrl("10.0.0.3:7002")).toEqual({
      nodes: [{ host: "10.0.0.3", port: 7002 }],
      tls: false,
    });
  });

  it("refuses what a cluster cannot be, saying what was found and what to write", () => {
    expect(() => parseClusterUrl("redis://:pw@10.0.0.1:6379/2")).toThrow(
      /REDIS_URL "redis:\/\/:\*\*\*@10\.0\.0\.1:6379\/2" names database 2, but a Redis Cluster has only database 0: remove the \/2/,
    );
    expect(() => parseClusterUrl("redis://10.0.0.1:port")).toThrow(
      /is not a URL; REDIS_URL names one or more nodes/,
    );
    expect(() => parseClusterUrl("http://10.0.0.1")).toThrow(/is not a redis:\/\/ URL/);
    expect(() => parseClusterUrl(" , ")).toThrow(/REDIS_URL is empty/);
    try {
      parseClusterUrl("redis://:pw@10.0.0.1:6379/2");
    } catch (error) {
      expect((error as Error).message).not.toContain("pw");
      expect(error).toMatchObject({ exitCode: 4 });
    }
  });
});
