/**
 * The smaller commands a user reaches for around a batch: status (list and one batch), report of
 * an unfinished batch, and the errors that say how to fix a setup.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { cli } from "../helpers/cli.js";
import { generations, tempDir, writeJsonl } from "../helpers/manifests.js";
import { useTestbed } from "../helpers/testbed.js";

describe("status, report and setup errors", () => {
  const bed = useTestbed({ latencyMs: 10 });
  let env: Record<string, string>;
  beforeEach(() => void (env = bed.env()));

  it("lists a submitted batch, shows its rows as pending, and reports it before any worker ran", async () => {
    const dir = await tempDir();
    const out = path.join(dir, "report");
    const manifest = await writeJsonl(dir, generations(5, "high"));
    const submitted = await cli(
      ["submit", manifest, "--batch", "nightly-1", "--out", out, "--max-cost", "10"],
      env,
    );
    expect(submitted.stdout).toBe("nightly-1\n");

    const list = await cli(["status"], env);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(
      /^BATCH\s+CREATED\s+STATE\s+ROWS\s+SUCCEEDED\s+FAILED\s+SPENT\s+CAP\s+DIRECTORY\s+MANIFEST$/m,
    );
    const row = /^nightly-1\s+\S+ \S+ UTC\s+submitted\s+5\s+0\s+0\s+\$0\.000\s+\$10\.000\s+(\S+)\s+(\S+)$/m;
    expect(list.stdout).toMatch(row);
    // Where the results go and what was submitted (absolute: the test's files are outside the cwd).
    expect(list.stdout.match(row)?.slice(1)).toEqual([path.resolve(out), path.resolve(manifest)]);

    const one = await cli(["status", "nightly-1"], env);
    expect(one.stdout).toMatch(/5 total · 0 succeeded · 0 failed · 0 in flight · 5 pending/);
    expect(one.stdout).toMatch(/openai\/gpt-image-2\s+high\s+5\s+0\s+0\s+0\s+\$0\.665/);

    const report = await cli(["report", "nightly-1"], env);
    expect(report.code, report.stderr).toBe(0);
    const cost = JSON.parse(await readFile(path.join(out, "cost-report.json"), "utf8"));
    expect(cost).toMatchObject({
      batch: "nightly-1",
      state: "submitted",
      remaining: { rows: 5, held_by_budget: 0, estimated_usd: "0.665" },
    });
    expect(cost.totals).toMatchObject({
      rows: 5,
      succeeded: 0,
      failed: 0,
      estimated_usd: "0.665",
      actual_usd: "0.000",
    });
    const lines = (await readFile(path.join(out, "results.jsonl"), "utf8"))
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.id, l.status])).toEqual(generations(5).map((r) => [r.id, "pending"]));
  });

  it("says which batch is unknown and how to list them", async () => {
    const result = await cli(["report", "nope", "--out", await tempDir()], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/no batch "nope" in Redis; list batches with `runflow-batch status`/);
  });

  it("exits 4 with a way out when Redis does not answer", async () => {
    const result = await cli(["status"], { ...env, REDIS_URL: "redis://127.0.0.1:1" });
    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(/cannot reach Redis at redis:\/\/127\.0\.0\.1:1 .*set REDIS_URL/);
  });

  it("exits 4 before touching Redis queues when no API key is set", async () => {
    const dir = await tempDir();
    const { RUNFLOW_API_KEY: _, ...noKey } = env;
    const result = await cli(
      ["run", await writeJsonl(dir, generations(2)), "--out", path.join(dir, "out")],
      noKey,
    );
    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(/set RUNFLOW_API_KEY.*or use --simulate/);
  });

  it("still reports every recorded row, once, when the manifest changed after the run", async () => {
    const dir = await tempDir();
    const manifest = await writeJsonl(dir, generations(4, "low"));
    const out = path.join(dir, "out");
    const done = await cli(
      ["run", manifest, "--out", out, "--batch", "edited", "--poll-interval", "20"],
      env,
    );
    expect(done.code, done.stderr).toBe(0);
    await writeJsonl(dir, generations(2, "high")); // the file is edited afterwards
    const other = await cli(["report", "edited", "--out", path.join(dir, "again")], env);
    expect(other.code).toBe(2); // a batch's reports go in its own directory, beside its images
    expect(other.stderr).toContain(`batch edited's directory is ${out}`);
    const report = await cli(["report", "edited"], env);
    expect(report.code, report.stderr).toBe(0);
    const lines = (await readFile(path.join(out, "results.jsonl"), "utf8"))
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.id).sort()).toEqual(["g0", "g1", "g2", "g3"]);
    const cost = JSON.parse(await readFile(path.join(out, "cost-report.json"), "utf8"));
    expect(cost.totals).toMatchObject({ rows: 4, succeeded: 4, actual_usd: "0.036" });
  });
});
