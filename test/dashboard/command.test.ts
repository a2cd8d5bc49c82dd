/**
 * `runflow-batch dashboard` as a process: it says where it listens, serves its pages there, and
 * stops cleanly on SIGTERM.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { spawnCli } from "../helpers/cli.js";
import { eventually } from "../helpers/eventually.js";
import { testRedis, type TestRedis } from "../helpers/redis.js";

describe("dashboard command", () => {
  let redis: TestRedis;
  beforeEach(async () => {
    redis = await testRedis();
  });
  afterEach(async () => {
    await redis.cleanup();
  });

  it("listens on 127.0.0.1, serves /, /metrics and /queues, and stops on SIGTERM", async () => {
    const child = spawnCli(["dashboard", "--port", "0"], {
      REDIS_URL: redis.url,
      RUNFLOW_BATCH_PREFIX: redis.prefix,
    });
    try {
      const url = await eventually(
        () => /Dashboard listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(child.output())?.[1],
        {
          timeoutMs: 20_000,
          what: "the dashboard's first line",
        },
      );
      expect((await fetch(`${url}/`)).status).toBe(200);
      const metrics = await fetch(`${url}/metrics`);
      expect([metrics.status, await metrics.text()]).toEqual([
        200,
        expect.stringContaining("# TYPE runflow_batch_rows gauge"),
      ]);
      expect((await fetch(`${url}/queues`)).status).toBe(200);
      expect(child.output()).toContain("bull-board read-only");
      child.child.kill("SIGTERM");
      expect(await child.exited).toBe(0);
    } finally {
      if (child.child.exitCode === null) child.child.kill("SIGKILL");
    }
  });
});
