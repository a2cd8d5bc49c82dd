import { chmod, mkdir, readdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { probeOutDir } from "../../src/outdir/probe.js";
import { tempDir } from "../helpers/manifests.js";

/** A directory this process cannot write in: a read-only one, or /sys as root (root ignores modes). */
async function unwritableDir(): Promise<{ dir: string; restore: () => Promise<void> }> {
  if (process.getuid?.() === 0) return { dir: "/sys/kernel", restore: async () => undefined };
  const dir = path.join(await tempDir(), "locked");
  await mkdir(path.join(dir, "images"), { recursive: true });
  await chmod(dir, 0o555);
  return { dir, restore: () => chmod(dir, 0o755) };
}

describe("output directory probe", () => {
  it("creates DIR and DIR/images and leaves no probe file behind", async () => {
    const dir = path.join(await tempDir(), "a", "b");
    await probeOutDir(dir);
    expect(await readdir(dir)).toEqual(["images"]);
    expect(await readdir(path.join(dir, "images"))).toEqual([]);
  });

  it("refuses a directory that cannot be created, naming it and the OS reason (exit 2)", async () => {
    const base = await tempDir();
    await writeFile(path.join(base, "file"), "not a directory");
    const dir = path.join(base, "file", "out");
    await expect(probeOutDir(dir)).rejects.toMatchObject({
      exitCode: 2,
      message: expect.stringMatching(
        new RegExp(
          `cannot create the output directory ${dir} \\((ENOTDIR|EEXIST): .*\\); nothing was submitted`,
        ),
      ),
    });
  });

  it("refuses a directory it cannot write in (EACCES)", async () => {
    const { dir, restore } = await unwritableDir();
    try {
      await expect(probeOutDir(dir)).rejects.toMatchObject({
        exitCode: 2,
        message: expect.stringContaining(
          `cannot write in the output directory ${dir} (EACCES: permission denied)`,
        ),
      });
    } finally {
      await restore();
    }
  });
});
