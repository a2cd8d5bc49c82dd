/**
 * The output-directory probe is bounded in time: a file system that does not answer is said as a
 * usage error naming the directory, instead of a command that waits forever. "Does not answer" is
 * made real and deterministic by holding every thread of libuv's pool in an open() of a FIFO
 * nobody writes (as a hung network mount would), so no file-system call can complete meanwhile.
 */
import { execFileSync } from "node:child_process";
import { closeSync, constants, openSync } from "node:fs";
import { open, type FileHandle } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { probeOutDir } from "../../src/outdir/probe.js";
import { tempDir } from "../helpers/manifests.js";

describe("output directory probe, bounded", () => {
  it("says a directory that does not answer within its time", async () => {
    const base = await tempDir();
    const threads = Number(process.env.UV_THREADPOOL_SIZE ?? 4);
    const fifos = Array.from({ length: threads }, (_, i) => path.join(base, `fifo-${i}`));
    for (const fifo of fifos) execFileSync("mkfifo", [fifo]);
    const held: Promise<FileHandle>[] = fifos.map((fifo) => open(fifo, "r")); // each holds a thread
    const out = path.join(base, "out");
    const writers: number[] = [];
    try {
      await expect(probeOutDir(out, { timeoutMs: 300 })).rejects.toMatchObject({
        exitCode: 2,
        message: expect.stringContaining(
          `the output directory ${out} did not answer within 0.3 s (a hung network mount, or a file system ` +
            "that blocks); nothing was submitted",
        ),
      });
    } finally {
      // A writer lets each open() return (synchronously here: the pool is still held).
      for (const fifo of fifos) writers.push(openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK));
      for (const handle of await Promise.all(held)) await handle.close();
      for (const fd of writers) closeSync(fd);
    }
  });
});
