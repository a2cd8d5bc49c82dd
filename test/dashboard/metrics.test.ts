/**
 * /metrics after a real batch (real Redis, the simulator over HTTP): the text parses strictly as
 * Prometheus' format, its cost lines equal the simulator's ledger to the micro-dollar per model ×
 * tier, API requests counted across processes equal what the simulator received, and 429s show.
 */
import path from "node:path";
import { describe, expect, it } from "vitest";
import { startDashboard } from "../../src/dashboard/server.js";
import { createApiStats } from "../../src/ledger/api-stats.js";
import { createKeys } from "../../src/ledger/keys.js";
import { createRunflowClient } from "../../src/runflow/client.js";
import { withRequestStats } from "../../src/runflow/request-stats.js";
import { startSimulator } from "../../src/simulator/index.js";
import { cli } from "../helpers/cli.js";
import { mixedRows, tempDir, writeJsonl } from "../helpers/manifests.js";
import { useTestbed } from "../helpers/testbed.js";
import { manualClock } from "../helpers/manual-clock.js";
import { parsePrometheusText, type PromFamily } from "./prom-text.js";

const micros = (usd: number) => Math.round(usd * 1_000_000);

function sampleValue(family: PromFamily | undefined, labels: Record<string, string>): number | undefined {
  return family?.samples.find((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
}

describe("dashboard /metrics", () => {
  const bed = useTestbed({
    latencyMs: { min: 5, max: 40 },
    failRate: 0.3,
    seed: 5,
    apiKeys: ["rf_test_key"],
  });

  it("parses strictly; its cost per model × tier equals the simulator's ledger exactly", async () => {
    const dir = await tempDir();
    const rows = mixedRows();
    const manifest = await writeJsonl(dir, rows);
    const run = await cli(
      ["run", manifest, "--out", path.join(dir, "out"), "--batch", "metrics", "--poll-interval", "20"],
      bed.env(),
    );
    expect([0, 1], run.stderr).toContain(run.code);

    const dashboard = await startDashboard({
      redis: bed.redis.redis,
      keys: createKeys(bed.redis.prefix),
      port: 0,
    });
    try {
      const response = await fetch(`${dashboard.url}/metrics`);
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
      const families = parsePrometheusText(await response.text());

      // The simulator's ledger, per model × tier: each run's cost, its tier from the manifest row.
      const ledger = bed.sim.ledger();
      const quality = new Map(
        rows.map((r) => [r.id, r.model.startsWith("runflow/") ? "per-request" : (r.quality ?? "high")]),
      );
      const expected = new Map<string, number>();
      for (const run of ledger.runs) {
        const row = (run.clientRef ?? "").slice("metrics/".length);
        const key = `${run.model}|${quality.get(row)}`;
        expected.set(key, (expected.get(key) ?? 0) + (run.costMicros ?? 0));
      }
      const spent = families.get("runflow_batch_spent_usd");
      expect(spent?.type).toBe("gauge");
      const seen = new Map<string, number>();
      for (const s of spent?.samples ?? [])
        if (s.labels.batch === "metrics") seen.set(`${s.labels.model}|${s.labels.quality}`, micros(s.value));
      for (const [key, value] of expected) expect(seen.get(key) ?? 0, key).toBe(value);
      const total = [...seen.values()].reduce((a, b) => a + b, 0);
      expect(total).toBe(ledger.billedMicros);
      expect(ledger.billedMicros).toBeGreaterThan(0);

      const rowsFamily = families.get("runflow_batch_rows");
      const succeeded = sampleValue(rowsFamily, { batch: "metrics", state: "succeeded" }) ?? -1;
      const failed = sampleValue(rowsFamily, { batch: "metrics", state: "failed" }) ?? -1;
      expect(succeeded + failed).toBe(rows.length);
      expect(failed).toBe(ledger.runs.filter((r) => r.status === "failed").length);

      const requests = families.get("runflow_batch_api_requests_total");
      expect(requests?.type).toBe("counter");
      expect(sampleValue(requests, { operation: "create" })).toBe(ledger.createRequests);
      expect(sampleValue(requests, { operation: "poll" })).toBeGreaterThan(0);
      const durations = families.get("runflow_batch_api_request_duration_seconds");
      expect(durations?.type).toBe("histogram");
      expect(sampleValue(durations, { operation: "download", le: "+Inf" })).toBe(
        sampleValue(requests, { operation: "download" }),
      );
      expect(
        families.get("runflow_batch_queue_jobs")?.samples.some((s) => s.labels.queue === "generate"),
      ).toBe(true);
    } finally {
      await dashboard.close();
    }
  });

  it("counts 429s from every process through Redis", async () => {
    // On a clock that stands still the one request a second never refills: the 6 requests get 5 429s.
    const limited = await startSimulator({ rateLimit: 1, apiKeys: ["rf_test_key"], clock: manualClock() });
    const keys = createKeys(bed.redis.prefix);
    const stats = createApiStats(bed.redis.redis, keys);
    // Two "processes": two counting clients flushing into the same hash.
    const clients = [0, 1].map(() =>
      withRequestStats(createRunflowClient({ baseUrl: limited.url, apiKey: "rf_test_key" }), {
        sink: (d) => stats.add(d),
        intervalMs: 60_000,
      }),
    );
    const outcomes = await Promise.allSettled(
      clients.flatMap((c) => [c.getBalance(), c.getBalance(), c.getBalance()]),
    );
    const refused = outcomes.filter((o) => o.status === "rejected").length;
    await Promise.all(clients.map((c) => c.close()));
    await limited.close();
    expect(refused).toBe(5);

    const dashboard = await startDashboard({ redis: bed.redis.redis, keys, port: 0 });
    try {
      const families = parsePrometheusText(await (await fetch(`${dashboard.url}/metrics`)).text());
      expect(sampleValue(families.get("runflow_batch_api_requests_total"), { operation: "balance" })).toBe(6);
      expect(
        sampleValue(families.get("runflow_batch_api_rate_limited_total"), { operation: "balance" }),
      ).toBe(refused);
    } finally {
      await dashboard.close();
    }
  });
});
