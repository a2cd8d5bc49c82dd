/**
 * A batch directory in object storage (`--out s3://BUCKET/PREFIX`), against s3rver on port 0: every
 * file of a batch is an object under the prefix, the batch model is the same as on disk (a re-run is
 * up to date with no new run, a deleted image object comes back from Runflow with no new run, the
 * reports list only what is there), and nothing is ever written to a local folder named "s3:".
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { readStorageConfig } from "../../src/config/storage.js";
import { startDashboard } from "../../src/dashboard/server.js";
import { createKeys } from "../../src/ledger/keys.js";
import { createStoreOpener } from "../../src/outdir/stores.js";
import { cli, ROOT } from "../helpers/cli.js";
import { generations, tempDir, writeJsonl } from "../helpers/manifests.js";
import { deletePrefixKeys } from "../helpers/redis.js";
import { startS3, type TestS3 } from "../helpers/s3.js";
import { useTestbed } from "../helpers/testbed.js";

describe("a batch into an S3 prefix", () => {
  const bed = useTestbed({ latencyMs: { min: 5, max: 20 }, seed: 22 });
  let s3: TestS3;
  beforeAll(async () => {
    s3 = await startS3();
  });
  afterAll(async () => {
    await s3?.close();
  });
  const env = () => ({ ...bed.env(), ...s3.env() });
  const run = (manifest: string, out: string) =>
    cli(["run", manifest, "--out", out, "--poll-interval", "10"], env());

  it("writes images, marker and reports as objects; a re-run is up to date; a deleted image is restored", async () => {
    const dir = await tempDir();
    const manifest = await writeJsonl(dir, [
      ...generations(12),
      { id: "multi", model: "openai/gpt-image-2", prompt: "p", num_images: 2, quality: "low" },
    ]);
    const prefix = `night-${bed.redis.prefix}`;
    const out = `s3://${s3.bucket}/${prefix}/cat/`;
    const first = await run(manifest, out);
    expect(first.code, first.stderr).toBe(0);
    expect(bed.sim.ledger().runsCreated).toBe(13);
    const keys = (await s3.keys(`${prefix}/`)).map((key) => key.slice(prefix.length + 1));
    const images = [...generations(12).map((r) => `cat/images/${r.id}.png`), "cat/images/multi-1.png"];
    expect(keys).toEqual(
      expect.arrayContaining([
        ...images,
        "cat/images/multi-2.png",
        "cat/.runflow-batch.json",
        "cat/results.jsonl",
        "cat/results.csv",
        "cat/cost-report.json",
        "cat/cost-report.md",
        "cat/report.html",
      ]),
    );
    // Nothing else: no probe objects, no temporary or partial files.
    expect(keys.filter((key) => !key.startsWith("cat/thumbs/"))).toHaveLength(20);
    expect(existsSync(path.join(ROOT, "s3:"))).toBe(false);
    const marker = JSON.parse((await s3.read(`${prefix}/cat/.runflow-batch.json`)).toString()) as {
      batch: string;
      made_dirs?: unknown;
    };
    expect(marker.made_dirs).toBeUndefined();
    const lines = (await s3.read(`${prefix}/cat/results.jsonl`)).toString().trim().split("\n");
    expect(lines.map((l) => (JSON.parse(l) as { status: string }).status)).toEqual(
      Array<string>(13).fill("succeeded"),
    );
    expect(first.stdout).toContain(`s3://${s3.bucket}/${prefix}/cat`);
    const image = await s3.read(`${prefix}/cat/images/g0.png`);
    expect(image.subarray(1, 4).toString()).toBe("PNG");

    const again = await run(manifest, `s3://${s3.bucket}/${prefix}/cat`);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain("13 up to date, 0 changed, 0 to retry, 0 removed → 0 runs");
    expect(bed.sim.ledger().runsCreated).toBe(13);

    await s3.remove(`${prefix}/cat/images/g3.png`);
    const restored = await run(manifest, out);
    expect(restored.code, restored.stderr).toBe(0);
    expect(restored.stderr).toContain("12 up to date, 0 changed, 0 to retry, 1 to download again");
    expect(restored.stderr).toContain("Downloaded the images of 1 rows again (no new runs).");
    expect(bed.sim.ledger().runsCreated).toBe(13);
    expect(await s3.keys(`${prefix}/cat/images/g3`)).toEqual([`${prefix}/cat/images/g3.png`]);
  });

  it("estimate --out states the plan, report writes the reports, both from the prefix", async () => {
    const dir = await tempDir();
    const manifest = await writeJsonl(dir, generations(5));
    const out = `s3://${s3.bucket}/est-${bed.redis.prefix}`;
    expect((await run(manifest, out)).code).toBe(0);
    await writeJsonl(dir, generations(6));
    // --s3-endpoint says what AWS_ENDPOINT_URL says.
    const { AWS_ENDPOINT_URL: endpoint, ...noEndpoint } = env();
    const estimate = await cli(["estimate", manifest, "--out", out, "--s3-endpoint", endpoint!], noEndpoint);
    expect(estimate.code, estimate.stderr).toBe(0);
    expect(estimate.stdout).toContain("5 up to date, 1 new, 0 changed");
    const marker = JSON.parse((await s3.read(`est-${bed.redis.prefix}/.runflow-batch.json`)).toString()) as {
      batch: string;
    };
    await s3.remove(`est-${bed.redis.prefix}/report.html`);
    const report = await cli(["report", marker.batch, "--out", `${out}/`], env());
    expect(report.code, report.stderr).toBe(0);
    expect(await s3.keys(`est-${bed.redis.prefix}/report.html`)).toHaveLength(1);
    expect(bed.sim.ledger().runsCreated).toBe(5);
  });
});

describe("a prefix whose batch Redis lost", () => {
  const bed = useTestbed({ latencyMs: { min: 5, max: 20 }, seed: 12 });
  const otherPrefix = () => `${bed.redis.prefix}-b`;
  afterEach(async () => {
    await deletePrefixKeys(bed.redis.redis, otherPrefix());
  });

  it("is adopted from the prefix's results.jsonl: a deleted image is downloaded again, 0 runs", async () => {
    const s3 = await startS3();
    try {
      const dir = await tempDir();
      const manifest = await writeJsonl(dir, generations(8));
      const out = `s3://${s3.bucket}/lost`;
      const args = ["run", manifest, "--out", out, "--poll-interval", "10"];
      expect((await cli(args, { ...bed.env(), ...s3.env() })).code).toBe(0);
      const lines = (await s3.read("lost/results.jsonl")).toString();
      await s3.remove("lost/images/g5.png");
      // The same Redis under another prefix: a Redis that never held the batch (a new machine).
      const again = await cli(args, { ...bed.env(), ...s3.env(), RUNFLOW_BATCH_PREFIX: otherPrefix() });
      expect(again.code, again.stderr).toBe(0);
      expect(again.stderr).toContain(
        `${out}: 0 up to date, 7 adopted from ${out} (Redis did not hold the batch)`,
      );
      expect(again.stderr).toContain("1 to download again");
      expect(bed.sim.ledger().runsCreated).toBe(8);
      expect(await s3.keys("lost/images/g5")).toEqual(["lost/images/g5.png"]);
      const ids = (text: string) =>
        text
          .trim()
          .split("\n")
          .map((l) => (JSON.parse(l) as { run_id: string }).run_id);
      expect(ids((await s3.read("lost/results.jsonl")).toString())).toEqual(ids(lines));
    } finally {
      await s3.close();
    }
  });
});

describe("the dashboard of a batch in object storage", () => {
  const bed = useTestbed({ latencyMs: 5 });
  it("serves the batch's images from the prefix", async () => {
    const s3 = await startS3();
    const stores = createStoreOpener({ storage: () => readStorageConfig(s3.env()) });
    try {
      const dir = await tempDir();
      const run = await cli(
        [
          "run",
          await writeJsonl(dir, generations(2)),
          "--out",
          `s3://${s3.bucket}/dash`,
          "--poll-interval",
          "10",
        ],
        { ...bed.env(), ...s3.env() },
      );
      expect(run.code, run.stderr).toBe(0);
      const [batch] = await bed.store().list(1);
      const board = await startDashboard({
        redis: bed.redis.redis,
        keys: createKeys(bed.redis.prefix),
        port: 0,
        stores,
      });
      try {
        const files = `${board.url}/batches/${batch!.id}/files`;
        const image = await fetch(`${files}/images/g1.png`);
        expect([image.status, image.headers.get("content-type")]).toEqual([200, "image/png"]);
        expect(Buffer.from(await image.arrayBuffer())).toEqual(await s3.read("dash/images/g1.png"));
        expect((await fetch(`${files}/images/none.png`)).status).toBe(404);
        expect((await fetch(`${files}/results.jsonl`)).status).toBe(404);
      } finally {
        await board.close();
      }
    } finally {
      await stores.close();
      await s3.close();
    }
  });
});
