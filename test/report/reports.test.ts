/**
 * The richer reports of real batches (real Redis, the simulator over HTTP): results.csv/jsonl
 * carry prompt, one column per metadata key, times and cost per image, also for rows the cap held
 * back; cost-report.json/md carry the manifest, duration, the failures and the budget history
 * (created, stopped by the cap, raised).
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { cli } from "../helpers/cli.js";
import { tempDir, writeJsonl, type TestRow } from "../helpers/manifests.js";
import { useTestbed } from "../helpers/testbed.js";

type Row = TestRow & { metadata?: Record<string, string> };

const readLines = async (file: string) =>
  (await readFile(file, "utf8"))
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as Record<string, unknown>);

function csvRows(text: string): string[][] {
  // The test data has no quotes, commas or newlines inside fields.
  return text
    .trim()
    .split("\n")
    .map((line) => line.split(","));
}

describe("richer reports", () => {
  const bed = useTestbed({ latencyMs: { min: 5, max: 30 }, seed: 4, apiKeys: ["rf_test_key"] });

  it("lists prompt, metadata and the budget history through a cap stop and a raise", async () => {
    const dir = await tempDir();
    const rows: Row[] = Array.from({ length: 6 }, (_, i) => ({
      id: `p${i}`,
      model: "openai/gpt-image-2",
      prompt: `product ${i}`,
      quality: "low",
      metadata: i % 2 === 0 ? { sku: `S${i}`, color: "red" } : { sku: `S${i}` },
    }));
    const manifest = await writeJsonl(dir, rows);
    const out = path.join(dir, "out");
    const args = ["run", manifest, "--out", out, "--batch", "rich", "--poll-interval", "20"];
    const stopped = await cli([...args, "--max-cost", "0.027"], bed.env());
    expect(stopped.code, stopped.stderr).toBe(3);

    const csv = csvRows(await readFile(path.join(out, "results.csv"), "utf8"));
    const header = csv[0] ?? [];
    expect(header).toEqual([
      "id",
      "model",
      "quality",
      "status",
      "run_id",
      "images",
      "estimated_usd",
      "cost_usd",
      "error",
      "prompt",
      "attempt",
      "created_at",
      "finished_at",
      "duration_ms",
      "cost_per_image_usd",
      "metadata.color",
      "metadata.sku",
    ]);
    const col = (name: string) => header.indexOf(name);
    const byId = new Map(csv.slice(1).map((r) => [r[0], r]));
    for (const row of rows) {
      const line = byId.get(row.id) ?? [];
      expect(line[col("prompt")]).toBe(row.prompt);
      expect(line[col("metadata.sku")]).toBe(row.metadata?.sku);
      expect(line[col("metadata.color")]).toBe(row.metadata?.color ?? "");
    }
    const statuses = csv.slice(1).map((r) => r[col("status")]);
    expect(statuses.filter((s) => s === "succeeded")).toHaveLength(3);
    expect(statuses.filter((s) => s === "held")).toHaveLength(3);
    const done = csv.slice(1).filter((r) => r[col("status")] === "succeeded");
    for (const r of done) {
      expect(r[col("cost_per_image_usd")]).toBe("0.009");
      expect(Date.parse(r[col("finished_at")] ?? "")).toBeGreaterThan(0);
    }
    const jsonl = await readLines(path.join(out, "results.jsonl"));
    expect(jsonl.find((l) => l.status === "held")).toMatchObject({
      prompt: expect.any(String),
      metadata: { sku: expect.any(String) },
      cost_per_image_usd: null,
    });

    const first = JSON.parse(await readFile(path.join(out, "cost-report.json"), "utf8"));
    expect(first.manifest).toBe(manifest);
    expect(first.finished_at).toBeNull();
    expect(first.duration_ms).toBeGreaterThanOrEqual(0);
    expect(first.budget.history.map((e: { kind: string; cap_usd: string }) => [e.kind, e.cap_usd])).toEqual([
      ["created", "0.027"],
      ["stopped", "0.027"],
    ]);
    expect(await readFile(path.join(out, "cost-report.md"), "utf8")).toMatch(
      /the cap \(\$0\.027\) stopped the batch \(spent \$0\.027\)/,
    );

    const raised = await cli(["budget", "rich", "--max-cost", "1"], bed.env());
    expect(raised.code, raised.stderr).toBe(0);
    const finished = await cli(args, bed.env());
    expect(finished.code, finished.stderr).toBe(0);
    const last = JSON.parse(await readFile(path.join(out, "cost-report.json"), "utf8"));
    expect(last.budget.history.map((e: { kind: string }) => e.kind)).toEqual([
      "created",
      "stopped",
      "changed",
    ]);
    expect(last.budget.history[2]).toMatchObject({
      previous_cap_usd: "0.027",
      cap_usd: "1.000",
      spent_usd: "0.027",
    });
    expect(Date.parse(last.finished_at)).toBeGreaterThanOrEqual(Date.parse(last.started_at));
    expect(last.duration_ms).toBe(Date.parse(last.finished_at) - Date.parse(last.started_at));
    expect(last.failures).toEqual({ total: 0, listed: [], more: 0 });
  });

  it("lists every failure with Runflow's reason in cost-report.json and .md", async () => {
    bed.sim.configure({ failRate: 0.5 });
    const dir = await tempDir();
    const rows: Row[] = Array.from({ length: 10 }, (_, i) => ({
      id: `f${i}`,
      model: "openai/gpt-image-2",
      prompt: `thing ${i}`,
      quality: "low",
    }));
    const out = path.join(dir, "out");
    const run = await cli(
      ["run", await writeJsonl(dir, rows), "--out", out, "--poll-interval", "20"],
      bed.env(),
    );
    expect(run.code, run.stderr).toBe(1);
    const failed = (await readLines(path.join(out, "results.jsonl"))).filter((l) => l.status === "failed");
    expect(failed.length).toBeGreaterThan(0);
    const report = JSON.parse(await readFile(path.join(out, "cost-report.json"), "utf8"));
    expect(report.failures).toEqual({
      total: failed.length,
      listed: failed.map((l) => ({ id: l.id, reason: l.error })),
      more: 0,
    });
    const md = await readFile(path.join(out, "cost-report.md"), "utf8");
    expect(md).toContain(`## Failures (${failed.length})`);
    for (const l of failed) expect(md).toContain(`| ${String(l.id)} | ${String(l.error)} |`);
  });
});
