/**
 * A command refused before its batch starts leaves the file system as it was (no empty DIR,
 * DIR/images or DIR/.rehearsal), and a directory that cannot be made ends the command with
 * exit 2 and the path — also where a recursive mkdir would never return (/proc/x).
 */
import { mkdir, readdir, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { cli, spawnCli } from "../helpers/cli.js";
import { generations, tempDir, writeJsonl } from "../helpers/manifests.js";
import { useTestbed } from "../helpers/testbed.js";

const noStack = (text: string) => expect(text).not.toMatch(/\n\s+at |unexpected error/);

describe("refused commands", () => {
  const bed = useTestbed({ latencyMs: 20, apiKeys: ["rf_test_key"] });

  it("run and estimate into /proc/x end by themselves with exit 2, naming the path and why", async () => {
    if (!(await stat("/proc/self").catch(() => null))) return; // no procfs here
    const manifest = await writeJsonl(await tempDir(), generations(3));
    for (const args of [
      ["run", manifest, "--out", "/proc/x", "--simulate"],
      ["estimate", manifest, "--out", "/proc/x"],
    ]) {
      // No signal is sent: before, `run` spun a core forever and `estimate` never answered.
      const child = spawnCli(args, bed.env());
      expect(await child.exited, child.output()).toBe(2);
      expect(child.output()).toContain(
        "cannot create the output directory /proc/x (ENOENT: /proc does not accept new directories); " +
          "nothing was submitted",
      );
      noStack(child.output());
    }
  });

  it("an invalid manifest, a dry run and a wrong key leave no directory behind", async () => {
    const base = await tempDir();
    const good = await writeJsonl(base, generations(3));
    const bad = path.join(base, "bad.jsonl");
    await writeFile(bad, JSON.stringify({ id: "x", model: "no/such-model", prompt: "a chair" }) + "\n");
    const out = path.join(base, "new", "out");
    const before = (await readdir(base)).sort();

    const invalid = await cli(["run", bad, "--out", out, "--simulate"], bed.env());
    expect(invalid.code, invalid.stderr).toBe(2);
    const dryRun = await cli(["estimate", good, "--out", out], bed.env());
    expect(dryRun.code, dryRun.stderr).toBe(0);
    expect(dryRun.stdout).toContain("3 new");
    // Refused at the balance check, after the batch was created and its marker written.
    for (const command of ["submit", "run"]) {
      const wrongKey = await cli([command, good, "--out", out], {
        ...bed.env(),
        RUNFLOW_API_KEY: "rf_wrong",
      });
      expect(wrongKey.code, wrongKey.stderr).toBe(4);
      noStack(wrongKey.stderr);
    }
    expect((await readdir(base)).sort()).toEqual(before);
    expect(bed.sim.ledger().runsCreated).toBe(0);
  });

  it("a directory that was there before stays, as empty as it was", async () => {
    const base = await tempDir();
    const good = await writeJsonl(base, generations(3));
    const out = path.join(base, "kept");
    await mkdir(out);
    const wrongKey = await cli(["run", good, "--out", out], { ...bed.env(), RUNFLOW_API_KEY: "rf_wrong" });
    expect(wrongKey.code, wrongKey.stderr).toBe(4);
    expect(await readdir(out)).toEqual([]);

    const right = await cli(["run", good, "--out", out, "--poll-interval", "20"], bed.env());
    expect(right.code, right.stderr).toBe(0);
    expect(await readdir(path.join(out, "images"))).toHaveLength(3);
  });
});
