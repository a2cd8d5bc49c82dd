/**
 * The directory is evidence: a directory filled and reported, run again against a Redis that does
 * not hold its batch (a new machine, a flushed Redis, another prefix), is not run again — its
 * succeeded rows are adopted from results.jsonl with their run ids and costs. Only rows whose
 * images are gone are downloaded again.
 */
import { readFile, rm } from "node:fs/promises";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { cli } from "../helpers/cli.js";
import { generations, tempDir, writeJsonl } from "../helpers/manifests.js";
import { deletePrefixKeys } from "../helpers/redis.js";
import { useTestbed } from "../helpers/testbed.js";

const read = (dir: string, file: string) => readFile(path.join(dir, file), "utf8");

/** The reports' facts that must not change when a directory is adopted (not their timestamps). */
async function reportFacts(out: string) {
  const lines = (await read(out, "results.jsonl"))
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  const report = JSON.parse(await read(out, "cost-report.json")) as Record<string, unknown>;
  return {
    lines: lines.map(({ id, status, run_id, images, cost_usd, estimated_usd, attempt, content_sha }) => ({
      id,
      status,
      run_id,
      images,
      cost_usd,
      estimated_usd,
      attempt,
      content_sha,
    })),
    totals: report.totals,
    byTier: report.by_tier,
  };
}

describe("a directory whose batch Redis lost", () => {
  const bed = useTestbed({ latencyMs: { min: 5, max: 20 }, seed: 11 });
  const otherPrefix = () => `${bed.redis.prefix}-b`;
  /** The same Redis server under another prefix: a Redis that never held the batch. */
  const elsewhere = () => ({ ...bed.env(), RUNFLOW_BATCH_PREFIX: otherPrefix() });
  afterEach(async () => {
    await deletePrefixKeys(bed.redis.redis, otherPrefix());
  });
  const run = (manifest: string, out: string, env: Record<string, string>) =>
    cli(["run", manifest, "--out", out, "--poll-interval", "10"], env);

  it("is adopted: 0 creates, and the reports stay as they were", async () => {
    const dir = await tempDir();
    const out = path.join(dir, "out");
    const manifest = await writeJsonl(dir, generations(24, "high"));
    const first = await run(manifest, out, bed.env());
    expect(first.code, first.stderr).toBe(0);
    expect(bed.sim.ledger().runsCreated).toBe(24);
    const before = await reportFacts(out);

    const again = await run(manifest, out, elsewhere());
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain(
      `${out}: 0 up to date, 24 adopted from ${out} (Redis did not hold the batch), 0 changed, 0 to retry, ` +
        "0 removed → 0 runs, ~$0.000",
    );
    expect(bed.sim.ledger().runsCreated).toBe(24);
    expect(await reportFacts(out)).toEqual(before);

    // And from then on the new Redis holds it: the next run is simply up to date.
    const third = await run(manifest, out, elsewhere());
    expect(third.stderr).toContain(`${out}: 24 up to date, 0 changed`);
    expect(bed.sim.ledger().runsCreated).toBe(24);
  });

  it("downloads only the rows whose images were deleted, and runs nothing", async () => {
    const dir = await tempDir();
    const out = path.join(dir, "out");
    const manifest = await writeJsonl(dir, generations(12, "low"));
    expect((await run(manifest, out, bed.env())).code).toBe(0);
    const before = await reportFacts(out);
    for (const id of ["g3", "g7"]) await rm(path.join(out, "images", `${id}.png`));

    const again = await run(manifest, out, elsewhere());
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain("10 adopted from");
    expect(again.stderr).toContain("2 to download again");
    expect(again.stderr).toContain("Downloaded the images of 2 rows again (no new runs).");
    expect(bed.sim.ledger().runsCreated).toBe(12);
    expect(await reportFacts(out)).toEqual(before);
  });

  it("runs a row whose content changed since the directory recorded it", async () => {
    const dir = await tempDir();
    const out = path.join(dir, "out");
    const rows = generations(6, "low");
    const manifest = await writeJsonl(dir, rows);
    expect((await run(manifest, out, bed.env())).code).toBe(0);
    await writeJsonl(
      dir,
      rows.map((r) => (r.id === "g2" ? { ...r, prompt: `${r.prompt}, in red` } : r)),
    );
    const again = await run(manifest, out, elsewhere());
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain("5 adopted from");
    expect(again.stderr).toContain("1 new");
    expect(bed.sim.ledger().runsCreated).toBe(7);
  });

  it("keeps its marker when a run is refused before it starts, and adopts its rows on the next", async () => {
    const dir = await tempDir();
    const out = path.join(dir, "out");
    const manifest = await writeJsonl(dir, generations(5, "high"));
    expect((await run(manifest, out, bed.env())).code).toBe(0);
    const markerBatch = async () =>
      (JSON.parse(await read(out, ".runflow-batch.json")) as { batch: string }).batch;
    const batch = await markerBatch();

    // Redis lost the batch, and the account cannot pay for what a fresh start would cost.
    bed.sim.configure({ balanceUsd: "0.010" });
    const refused = await cli(["run", manifest, "--out", out, "--max-cost", "5"], elsewhere());
    expect(refused.code, refused.stderr).toBe(0); // nothing to pay for: the 5 rows are adopted
    expect(refused.stderr).toContain("5 adopted from");
    expect(await markerBatch()).toBe(batch);
    expect(bed.sim.ledger().runsCreated).toBe(5);

    // A row that must run again meets the balance: refused (exit 3), and the marker stays.
    await writeJsonl(dir, [...generations(5, "high"), ...generations(1, "high", "new")]);
    const lost = `${bed.redis.prefix}-c`;
    try {
      const again = await cli(["run", manifest, "--out", out], { ...bed.env(), RUNFLOW_BATCH_PREFIX: lost });
      expect(again.code, again.stderr).toBe(3);
      expect(await markerBatch()).toBe(batch);
      bed.sim.configure({ balanceUsd: "100" });
      const paid = await cli(["run", manifest, "--out", out], { ...bed.env(), RUNFLOW_BATCH_PREFIX: lost });
      expect(paid.code, paid.stderr).toBe(0);
      expect(paid.stderr).toContain("5 adopted from");
      expect(bed.sim.ledger().runsCreated).toBe(6);
    } finally {
      await deletePrefixKeys(bed.redis.redis, lost);
    }
  });
});
