import { chmod, mkdir, readdir, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { probeOutDir } from "./probe.js";
import { tempDir } from "../../test/helpers/manifests.js";

/** A directory this process cannot write in: a read-only one, or /sys as root (root ignores modes). */
async function unwritableDir(): Promise<{ dir: string; restore: () => Promise<void> }> {
  if (process.getuid?.() === 0) return { dir: "/sys/kernel", restore: async () => undefined };
  const dir = path.join(await tempDir(), "locked");
  await mkdir(path.join(dir, "images"), { recursive: true });
  await chmod(dir, 0o555);
  return { dir, restore: () => chmod(dir, 0o755) };
}

describe("output directory probe", () => {
  it("leaves the file system as it was: no probe file, and no directory it made", async () => {
    const base = await tempDir();
    await probeOutDir(path.join(base, "a", "b"));
    expect(await readdir(base)).toEqual([]);
    const existing = path.join(base, "kept");
    await mkdir(existing);
    await probeOutDir(existing);
    expect(await readdir(existing)).toEqual([]);
  });

  it("refuses a directory whose parent takes no new entries (/proc/x), naming it (exit 2)", async () => {
    if (!(await stat("/proc/self").catch(() => null))) return; // no procfs here
    // A recursive mkdir never returns here; the probe makes one level at a time.
    await expect(probeOutDir("/proc/x")).rejects.toMatchObject({
      exitCode: 2,
      message: expect.stringContaining(
        "cannot create the output directory /proc/x (ENOENT: /proc does not accept new directories); " +
          "nothing was submitted",
      ),
    });
  });

  it("names the parent it could not create when that is what failed", async () => {
    const { dir, restore } = await unwritableDir();
    try {
      const target = path.join(dir, "new", "out");
      await expect(probeOutDir(target)).rejects.toMatchObject({
        exitCode: 2,
        // EPERM as root in /sys
        message: expect.stringMatching(
          new RegExp(
            `cannot create the output directory ${target} \\((EACCES|EPERM): [^)]*, at ${dir}/new\\)`,
          ),
        ),
      });
    } finally {
      await restore();
    }
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
