/**
 * Faults found before anything is submitted, and start-up checks that are patient: an unwritable
 * --out exits 2 naming the path and the OS reason with 0 requests to Runflow and nothing in Redis;
 * one 503 on the balance check does not stop the batch; a submit refused at the balance check
 * (wrong key) leaves no ghost batch, and the right key then submits into the same directory.
 */
import { readdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { cli } from "../helpers/cli.js";
import { startFaultProxy, type FaultProxy } from "../helpers/fault-proxy.js";
import { generations, tempDir, writeJsonl } from "../helpers/manifests.js";
import { useTestbed } from "../helpers/testbed.js";

describe("faults at the start", () => {
  const bed = useTestbed({ latencyMs: 20, apiKeys: ["rf_test_key"] });
  let proxy: FaultProxy | null = null;
  afterEach(async () => proxy?.close());

  it("refuses an unwritable --out with exit 2, the path and the OS reason, before any request", async () => {
    proxy = await startFaultProxy(bed.sim.url);
    const dir = await tempDir();
    await writeFile(path.join(dir, "file"), "not a directory");
    const out = path.join(dir, "file", "out");
    const manifest = await writeJsonl(dir, generations(5));
    for (const command of ["run", "submit"]) {
      const result = await cli([command, manifest, "--out", out], {
        ...bed.env(),
        RUNFLOW_BASE_URL: proxy.url,
      });
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toMatch(
        new RegExp(
          `cannot create the output directory ${out} \\((ENOTDIR|EEXIST): .+\\); nothing was submitted`,
        ),
      );
      expect(result.stderr).not.toMatch(/Runflow refused|unexpected error/);
    }
    expect(proxy.requests).toEqual([]);
    expect(await bed.store().list(10)).toEqual([]);
  });

  it("goes on after a 503 on the balance check: it is retried, and the batch finishes", async () => {
    proxy = await startFaultProxy(bed.sim.url, (req, nth) =>
      req.path === "/v1/billing/balance" && nth === 1
        ? { status: 503, body: { code: "MODEL_UNAVAILABLE", message: "try again" } }
        : null,
    );
    const dir = await tempDir();
    const manifest = await writeJsonl(dir, generations(4));
    const result = await cli(["run", manifest, "--out", path.join(dir, "out"), "--poll-interval", "20"], {
      ...bed.env(),
      RUNFLOW_BASE_URL: proxy.url,
    });
    expect(result.code, result.stderr).toBe(0);
    expect(proxy.requests.filter((r) => r.path === "/v1/billing/balance")).toHaveLength(2);
    expect(bed.sim.ledger().runsCreated).toBe(4);
  });

  it("leaves no ghost batch when a submit is refused for a wrong key; the right key submits", async () => {
    const dir = await tempDir();
    const manifest = await writeJsonl(dir, generations(10));
    const out = path.join(dir, "out");
    const wrong = await cli(["submit", manifest, "--out", out], {
      ...bed.env(),
      RUNFLOW_API_KEY: "rf_wrong_key",
    });
    expect(wrong.code, wrong.stderr).toBe(4);
    expect(wrong.stderr).not.toContain("rf_wrong_key");
    expect(await bed.store().list(10)).toEqual([]);
    // Nothing on disk either: the directory the refused submit would have used was never left made.
    expect(await readdir(dir)).not.toContain("out");
    const status = await cli(["status"], bed.env());
    expect(status.stdout).toMatch(/no batches yet/);

    const right = await cli(["submit", manifest, "--out", out], bed.env());
    expect(right.code, right.stderr).toBe(0);
    expect((await bed.store().list(10)).map((r) => r.id)).toEqual([right.stdout.trim()]);
  });
});
