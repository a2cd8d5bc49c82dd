/**
 * Injected trouble from the simulator — 5xx answers, 429 rate limiting, runs that fail — and
 * every row still ends in a recorded state, with failed rows carrying Runflow's reason and the
 * money matching the ledger exactly.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startSimulator, type Simulator } from "../../src/simulator/index.js";
import { cli } from "../helpers/cli.js";
import { generations, tempDir, writeJsonl } from "../helpers/manifests.js";
import { testRedis, type TestRedis } from "../helpers/redis.js";

describe("run under faults", () => {
  let redis: TestRedis;
  let sim: Simulator | null = null;
  beforeEach(async () => (redis = await testRedis()));
  afterEach(async () => {
    await sim?.close();
    await redis.cleanup();
  });

  const envFor = (s: Simulator) => ({
    REDIS_URL: redis.url,
    RUNFLOW_BATCH_PREFIX: redis.prefix,
    RUNFLOW_BASE_URL: s.url,
    RUNFLOW_API_KEY: "rf_test_key",
  });

  it("retries 5xx and 429 without paying twice, and records failed runs with their reason at no cost", async () => {
    sim = await startSimulator({
      latencyMs: { min: 10, max: 60 },
      errorRate: 0.25,
      failRate: 0.3,
      rateLimit: 150,
      retryAfter: true,
      seed: 42,
    });
    const dir = await tempDir();
    const rows = generations(40, "medium");
    const manifest = await writeJsonl(dir, rows);
    const out = path.join(dir, "out");

    const result = await cli(
      [
        "run",
        manifest,
        "--out",
        out,
        "--poll-interval",
        "20",
        "--attempts",
        "10",
        "--retry-backoff",
        "20",
        "--concurrency",
        "10",
      ],
      envFor(sim),
    );
    expect(result.stderr).not.toMatch(/unexpected error/);
    const ledger = sim.ledger();
    const failedRuns = ledger.runs.filter((r) => r.status === "failed").length;
    expect(failedRuns).toBeGreaterThan(0);
    expect(result.code, result.stderr).toBe(1); // some rows failed: reports are still written

    const lines = (await readFile(path.join(out, "results.jsonl"), "utf8"))
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(rows.length);
    const failed = lines.filter((l) => l.status === "failed");
    const succeeded = lines.filter((l) => l.status === "succeeded");
    expect(failed.length + succeeded.length).toBe(rows.length);
    expect(failed.length).toBe(failedRuns);
    for (const line of failed) {
      expect(line.error).toMatch(/^failed: /);
      expect(line.cost_usd).toBe("0.000");
    }

    // Every row was created once, whatever the retries: one run per row, billed once.
    expect(ledger.runsCreated).toBe(rows.length);
    for (const runs of Object.values(ledger.byClientRef)) expect(runs).toHaveLength(1);
    expect(ledger.createRequests).toBeGreaterThan(rows.length); // 5xx and 429 answers were retried
    const report = JSON.parse(await readFile(path.join(out, "cost-report.json"), "utf8"));
    expect(report.totals).toMatchObject({ rows: 40, succeeded: succeeded.length, failed: failed.length });
    expect(report.totals.actual_usd).toBe(ledger.billedUsd.replace(/0+$/, "").padEnd(5, "0"));
    expect(ledger.billedMicros).toBe(succeeded.length * 34_000);
  });

  it("fails a row at once on a permanent error (wrong key is a configuration error: exit 4, nothing recorded)", async () => {
    sim = await startSimulator({ latencyMs: 10, apiKeys: ["rf_the_right_key"] });
    const dir = await tempDir();
    const manifest = await writeJsonl(dir, generations(3));
    const result = await cli(["run", manifest, "--out", path.join(dir, "out"), "--poll-interval", "20"], {
      ...envFor(sim),
      RUNFLOW_API_KEY: "rf_a_wrong_key",
    });
    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(/RUNFLOW_API_KEY/);
    expect(result.stderr).not.toContain("rf_a_wrong_key");
    expect(sim.ledger().runsCreated).toBe(0);
  });
});
