/**
 * A batch is bound to the endpoint and account it was made for, and a directory is one batch:
 * a rehearsal never touches a real batch, the same manifest fills two directories, and a
 * directory or batch of another endpoint is refused.
 */
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { cli } from "../helpers/cli.js";
import { eventually } from "../helpers/eventually.js";
import { generations, tempDir, writeJsonl } from "../helpers/manifests.js";
import { useTestbed } from "../helpers/testbed.js";

const images = (dir: string) =>
  readdir(path.join(dir, "images")).then(
    (names) => names.sort(),
    () => [],
  );

describe("batch isolation", () => {
  const bed = useTestbed({ latencyMs: { min: 20, max: 60 }, seed: 3 });
  const fast = ["--sim-latency", "10-30", "--poll-interval", "20"];

  it("a rehearsal beside a submitted real batch leaves it untouched", async () => {
    const dir = await tempDir();
    const real = await writeJsonl(dir, generations(4, "low", "sku"), "real.jsonl");
    const submitted = await cli(["submit", real, "--out", path.join(dir, "real")], bed.env());
    expect(submitted.code, submitted.stderr).toBe(0);
    const batch = submitted.stdout.trim();
    const rehearsal = await cli(
      ["run", real, "--out", path.join(dir, "rehearsal"), "--simulate", ...fast],
      bed.env(),
    );
    expect(rehearsal.code, rehearsal.stderr).toBe(0);
    expect(await images(path.join(dir, "rehearsal"))).toEqual([
      "sku0.png",
      "sku1.png",
      "sku2.png",
      "sku3.png",
    ]);
    // The real batch: nothing recorded, nothing written, nothing asked of its endpoint.
    expect((await bed.store().get(batch))!.succeeded).toBe(0);
    expect(await images(path.join(dir, "real"))).toEqual([]);
    expect(bed.sim.ledger().runsCreated).toBe(0);
    // Its own workers still find it.
    bed.worker(["--concurrency", "4", "--poll-interval", "20"]);
    await eventually(async () => (await bed.store().get(batch))!.succeeded === 4, {
      timeoutMs: 20_000,
      what: "the real batch to finish",
    });
    expect(bed.sim.ledger().runsCreated).toBe(4);
  });

  it("fills both directories when the same manifest runs into two", async () => {
    const dir = await tempDir();
    const manifest = await writeJsonl(dir, generations(3));
    const first = await cli(
      ["run", manifest, "--out", path.join(dir, "d1"), "--simulate", ...fast],
      bed.env(),
    );
    const second = await cli(
      ["run", manifest, "--out", path.join(dir, "d2"), "--simulate", ...fast],
      bed.env(),
    );
    expect([first.code, second.code], first.stderr + second.stderr).toEqual([0, 0]);
    expect(await images(path.join(dir, "d1"))).toEqual(["g0.png", "g1.png", "g2.png"]);
    expect(await images(path.join(dir, "d2"))).toEqual(["g0.png", "g1.png", "g2.png"]);
    const markers = await Promise.all(
      ["d1", "d2"].map((d) => readFile(path.join(dir, d, ".runflow-batch.json"), "utf8")),
    );
    expect(JSON.parse(markers[0]!).batch).not.toBe(JSON.parse(markers[1]!).batch);
  });

  it("refuses to run into a directory that holds another endpoint's batch, naming both", async () => {
    const dir = await tempDir();
    const manifest = await writeJsonl(dir, generations(2));
    const out = path.join(dir, "out");
    expect((await cli(["run", manifest, "--out", out, "--simulate", ...fast], bed.env())).code).toBe(0);
    const real = await cli(["run", manifest, "--out", out, "--poll-interval", "20"], bed.env());
    expect(real.code).toBe(2);
    expect(real.stderr).toMatch(
      /holds batch b-[0-9a-f]{12}, made for the built-in simulator .* this command is for http:\/\/127\.0\.0\.1:\d+/,
    );
    expect(real.stderr).not.toContain("rf_test_key");
    expect(bed.sim.ledger().createRequests).toBe(0);
  });

  it("a worker for another account refuses to serve a batch", async () => {
    const dir = await tempDir();
    const manifest = await writeJsonl(dir, generations(2));
    const submitted = await cli(["submit", manifest, "--out", path.join(dir, "out")], bed.env());
    expect(submitted.code, submitted.stderr).toBe(0);
    const other = bed.worker(["--batch", submitted.stdout.trim()], {
      RUNFLOW_API_KEY: "rf_test_other_account",
    });
    expect(await other.exited).toBe(4);
    expect(other.output()).toMatch(
      /was made for http:\/\/127\.0\.0\.1:\d+ \(account acct-[0-9a-f]{16}\); this worker talks to .*acct-/,
    );
    expect(bed.sim.ledger().createRequests).toBe(0);
  });

  it("submit needs --out or --batch, so a second submit never makes a second batch", async () => {
    const dir = await tempDir();
    const manifest = await writeJsonl(dir, generations(2));
    const bare = await cli(["submit", manifest], bed.env());
    expect(bare.code).toBe(2);
    expect(bare.stderr).toMatch(/--out DIR/);
    const out = path.join(dir, "out");
    const one = await cli(["submit", manifest, "--out", out], bed.env());
    const two = await cli(["submit", manifest, "--out", out], bed.env());
    expect(two.stdout.trim()).toBe(one.stdout.trim());
  });
});
