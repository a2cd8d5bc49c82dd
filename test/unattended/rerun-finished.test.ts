/**
 * Re-running a finished batch, 20 times in a row, as real processes at the default log level:
 * every run exits 0 with its summary and no stack trace. (Closing BullMQ's connections while they
 * were still starting used to crash about one run in four with "Error: Connection is closed.".)
 */
import path from "node:path";
import { describe, expect, it } from "vitest";
import { spawnCli } from "../helpers/cli.js";
import { generations, tempDir, writeJsonl } from "../helpers/manifests.js";
import { testRedis } from "../helpers/redis.js";

const STACK = /^\s+at .+:\d+:\d+\)?$/m;

describe("re-running a finished batch", () => {
  it("never prints a stack trace, 20 times in a row", { timeout: 240_000 }, async () => {
    const redis = await testRedis();
    try {
      const dir = await tempDir();
      const manifest = await writeJsonl(dir, generations(6));
      const out = path.join(dir, "out");
      const env = { REDIS_URL: redis.url, RUNFLOW_BATCH_PREFIX: redis.prefix, LOG_LEVEL: "info" };
      const args = ["run", manifest, "--out", out, "--simulate", "--sim-latency", "10-30"];
      const first = spawnCli(args, env);
      expect(await first.exited, first.output()).toBe(0);
      for (let i = 0; i < 20; i += 1) {
        const again = spawnCli(args, env);
        const code = await again.exited;
        const output = again.output();
        expect(output, `re-run ${i + 1}`).not.toMatch(STACK);
        expect(output).not.toMatch(/Connection is closed|unexpected error/);
        expect(code, `re-run ${i + 1}:\n${output}`).toBe(0);
        expect(output).toMatch(/6 succeeded, 0 failed/);
      }
    } finally {
      await redis.cleanup();
    }
  });
});
