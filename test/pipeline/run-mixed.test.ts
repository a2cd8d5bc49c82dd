/**
 * `run` end to end on real Redis and the simulator over HTTP: a manifest mixing every model,
 * tier and several num_images ends with every image on disk and costs equal to sums worked out
 * by hand, billed once per row.
 */
import { readFile, readdir } from "node:fs/promises";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startSimulator, type Simulator } from "../../src/simulator/index.js";
import { cli } from "../helpers/cli.js";
import { expectedImages, handPrice, mixedRows, tempDir, writeJsonl } from "../helpers/manifests.js";
import { testRedis, type TestRedis } from "../helpers/redis.js";

const MAGIC: Record<string, string> = { png: "89504e47", jpg: "ffd8ff", webp: "52494646" };

describe("run: a mixed manifest", () => {
  let redis: TestRedis;
  let sim: Simulator;
  beforeEach(async () => {
    redis = await testRedis();
    sim = await startSimulator({ latencyMs: { min: 20, max: 120 }, apiKeys: ["rf_test_key"], seed: 7 });
  });
  afterEach(async () => {
    await sim.close();
    await redis.cleanup();
  });

  it("writes every image and a cost report equal to the hand-computed sums, billing each row once", async () => {
    const dir = await tempDir();
    const rows = mixedRows();
    const manifest = await writeJsonl(dir, rows);
    const out = path.join(dir, "out");
    const env = {
      REDIS_URL: redis.url,
      RUNFLOW_BATCH_PREFIX: redis.prefix,
      RUNFLOW_BASE_URL: sim.url,
      RUNFLOW_API_KEY: "rf_test_key",
    };

    const result = await cli(
      ["run", manifest, "--out", out, "--batch", "mixed", "--poll-interval", "30", "--concurrency", "8"],
      env,
    );
    expect(result.stderr).not.toMatch(/unexpected error/);
    expect(result.code, result.stderr).toBe(0);

    const expectedCost = rows.reduce((sum, r) => sum + handPrice(r), 0);
    const expectedImageCount = rows.reduce((sum, r) => sum + expectedImages(r), 0);
    const report = JSON.parse(await readFile(path.join(out, "cost-report.json"), "utf8"));
    expect(report.totals).toMatchObject({
      rows: rows.length,
      succeeded: rows.length,
      failed: 0,
      images: expectedImageCount,
    });
    expect(report.totals.actual_usd).toBe((expectedCost / 1e6).toFixed(3));
    expect(report.totals.estimated_usd).toBe((expectedCost / 1e6).toFixed(3));
    const highGen = report.by_tier.find(
      (t: { model: string; quality: string }) => t.model === "openai/gpt-image-2" && t.quality === "high",
    );
    expect(highGen).toMatchObject({ rows: 1, images: 3, actual_usd: "0.399" });

    const ledger = sim.ledger();
    expect(ledger.runsCreated).toBe(rows.length);
    expect(ledger.billedMicros).toBe(expectedCost);
    for (const runs of Object.values(ledger.byClientRef)) expect(runs).toHaveLength(1);

    const files = await readdir(path.join(out, "images"));
    expect(files).toHaveLength(expectedImageCount);
    for (const file of files) {
      const bytes = await readFile(path.join(out, "images", file));
      const ext = file.split(".").pop() as string;
      expect(
        bytes
          .subarray(0, 4)
          .toString("hex")
          .startsWith(MAGIC[ext] as string),
        file,
      ).toBe(true);
    }
    expect(files).toContain("gen-high-1.png");
    expect(files).toContain("gen-high-3.png");
    expect(files.every((f) => !f.includes("/") && !f.startsWith("."))).toBe(true);

    const lines = (await readFile(path.join(out, "results.jsonl"), "utf8"))
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.id)).toEqual(rows.map((r) => r.id));
    for (const line of lines) {
      expect(line.status).toBe("succeeded");
      expect(line.run_id).toMatch(/^[0-9a-f-]{36}$/);
      for (const image of line.images) expect(files).toContain(path.basename(image));
    }
    const csv = (await readFile(path.join(out, "results.csv"), "utf8")).trim().split("\n");
    const rich = "prompt,attempt,created_at,finished_at,duration_ms,cost_per_image_usd"; // then metadata.* (none here)
    expect(csv[0]).toBe(`id,model,quality,status,run_id,images,estimated_usd,cost_usd,error,${rich}`);
    expect(csv).toHaveLength(rows.length + 1);

    // Running the same command again resumes the finished batch: nothing is created or billed again.
    const again = await cli(
      ["run", manifest, "--out", out, "--batch", "mixed", "--poll-interval", "30"],
      env,
    );
    expect(again.code).toBe(0);
    expect(sim.ledger().createRequests).toBe(ledger.createRequests);
    expect(sim.ledger().billedMicros).toBe(expectedCost);
  });
});
