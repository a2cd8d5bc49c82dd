/**
 * The CLI on a real 3-master Redis Cluster (test/helpers/redis-cluster.ts): `run` finishes a
 * mixed manifest with its reports and one billed run per row; each batch's keys — its ledger and
 * its BullMQ lanes — sit in one slot, on the master that owns it, while two batches land on
 * different masters and what batches share keeps the prefix's own tag. A plain connection to a
 * node, and a batch stored under the earlier key layout, are refused with what to do (exit 4).
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { cli } from "../helpers/cli.js";
import { generations, mixedRows, tempDir, writeJsonl } from "../helpers/manifests.js";
import { useClusterTestbed } from "../helpers/redis-cluster.js";

describe("run on a Redis Cluster", () => {
  const bed = useClusterTestbed({ latencyMs: { min: 20, max: 80 }, seed: 5 });

  /** A batch id whose tag another master owns than `other`'s (so the test shows the spread). */
  async function idOnAnotherMaster(other: string): Promise<string> {
    const taken = await bed.cluster.owner(bed.keys.batch(other));
    for (let i = 0; ; i += 1) {
      const id = `second-${i}`;
      if ((await bed.cluster.owner(bed.keys.batch(id))) !== taken) return id;
    }
  }

  it("finishes a mixed manifest with reports and one billed run per row, each batch in one slot", async () => {
    const dir = await tempDir();
    const rows = [...mixedRows(), ...generations(25)];
    const manifest = await writeJsonl(dir, rows);
    const out = path.join(dir, "out");
    const args = ["--concurrency", "8", "--poll-interval", "20"];

    const first = await cli(["run", manifest, "--out", out, "--batch", "first", ...args], bed.env());
    expect(first.code, first.stderr).toBe(0);
    const ledger = bed.sim.ledger();
    expect(ledger.runsCreated).toBe(rows.length);
    for (const runs of Object.values(ledger.byClientRef)) expect(runs).toHaveLength(1);
    const report = JSON.parse(await readFile(path.join(out, "cost-report.json"), "utf8"));
    expect(report.totals).toMatchObject({ rows: rows.length, succeeded: rows.length, failed: 0 });
    expect(Math.round(Number(report.totals.actual_usd) * 1e6)).toBe(ledger.billedMicros);
    const lines = (await readFile(path.join(out, "results.jsonl"), "utf8")).trim().split("\n");
    expect(lines).toHaveLength(rows.length);
    await expect(readFile(path.join(out, "report.html"), "utf8")).resolves.toContain("<html");

    const secondId = await idOnAnotherMaster("first");
    const smallDir = await tempDir();
    const small = await writeJsonl(smallDir, generations(3, "low", "s"));
    const second = await cli(
      ["run", small, "--out", path.join(smallDir, "out"), "--batch", secondId, ...args],
      bed.env(),
    );
    expect(second.code, second.stderr).toBe(0);

    for (const id of ["first", secondId]) {
      const tag = bed.keys.bullPrefixFor(id);
      const found = await bed.cluster.keys(`${tag}:*`);
      const parts = found.map((key) => key.slice(tag.length + 1));
      // Its ledger and its BullMQ lane, all under its tag…
      expect(parts).toEqual(expect.arrayContaining(["batch", "rows", "order", "results", "runs"]));
      expect(parts.some((part) => part.startsWith(`generate-${id}:`))).toBe(true);
      // …so in one slot, held by one master.
      const slots = new Set(await Promise.all(found.map((key) => bed.cluster.keyslot(key))));
      expect([...slots]).toEqual([await bed.cluster.keyslot(bed.keys.batch(id))]);
    }
    expect(await bed.cluster.keyslot(bed.keys.batch("first"))).not.toBe(
      await bed.cluster.keyslot(bed.keys.batch(secondId)),
    );
    expect(await bed.cluster.owner(bed.keys.batch("first"))).not.toBe(
      await bed.cluster.owner(bed.keys.batch(secondId)),
    );
    // What batches share keeps the prefix's own tag: the listing has both.
    expect(await bed.cluster.client.zrange(bed.keys.batches, "0", "-1")).toEqual(
      expect.arrayContaining(["first", secondId]),
    );
    const status = await cli(["status", "--format", "json"], bed.env());
    expect(status.code, status.stderr).toBe(0);
    expect(
      JSON.parse(status.stdout)
        .map((b: { batch: string }) => b.batch)
        .sort(),
    ).toEqual(["first", secondId].sort());
  });

  it("refuses a plain connection to a node, and takes --redis-cluster for the setting", async () => {
    const plain = { ...bed.env(), REDIS_URL: bed.cluster.nodeUrl, RUNFLOW_BATCH_REDIS_CLUSTER: "0" };
    const refused = await cli(["status"], plain);
    expect(refused.code).toBe(4);
    expect(refused.stderr).toMatch(
      /Redis at redis:\/\/127\.0\.0\.1:\d+ is a node of a Redis Cluster.*set RUNFLOW_BATCH_REDIS_CLUSTER=1 \(or pass --redis-cluster\)/,
    );
    expect(refused.stderr).not.toMatch(/unexpected error|\n\s+at /);

    const { RUNFLOW_BATCH_REDIS_CLUSTER: _, ...withoutSetting } = bed.env();
    const flagged = await cli(["status", "--redis-cluster"], withoutSetting);
    expect(flagged.code, flagged.stderr).toBe(0);
    expect(flagged.stdout).toMatch(/no batches yet/);
  });

  it("says what to do with a batch stored under the earlier key layout", async () => {
    await bed.cluster.client.hset(bed.keys.legacyBatch("old"), { id: "old", state: "submitted" });
    const result = await cli(["status", "old"], bed.env());
    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(
      /batch old was stored by an earlier runflow-batch under the old key layout .*Run its command again on its directory/,
    );
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
