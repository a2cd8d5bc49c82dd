/**
 * The process edges of the binary (cli/main.ts), on real child processes: a reader that closes
 * its pipe early (`--help | head -1`) ends the command with its own exit code and no stack, and
 * one Ctrl-C ends a command that waits on nothing paid (here: a manifest pipe nobody writes).
 */
import { execFileSync, spawn } from "node:child_process";
import { once } from "node:events";
import { closeSync, constants, openSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ROOT, spawnCli } from "../helpers/cli.js";
import { eventually } from "../helpers/eventually.js";
import { tempDir } from "../helpers/manifests.js";
import { testRedis, type TestRedis } from "../helpers/redis.js";

async function fifo(name: string): Promise<string> {
  const file = path.join(await tempDir(), name);
  execFileSync("mkfifo", [file]);
  return file;
}

/** Opens the writing end of a FIFO once something reads it (ENXIO until then). */
function writerOnceRead(file: string): Promise<number> {
  return eventually(
    () => {
      try {
        return openSync(file, constants.O_WRONLY | constants.O_NONBLOCK);
      } catch {
        return undefined;
      }
    },
    { what: `a reader of ${file}` },
  );
}

describe("the binary's edges", () => {
  const fds: number[] = [];
  let redis: TestRedis | null = null;
  afterEach(async () => {
    for (const fd of fds.splice(0)) closeSync(fd);
    await redis?.cleanup();
    redis = null;
  });

  it("exits 0 without a stack when the reader of --help has closed its pipe (head -1)", async () => {
    for (const args of [["--help"], ["submit", "--help"], ["serve", "--help"]]) {
      // A real pipe whose reading end is closed before the child writes: every write is EPIPE.
      const pipe = await fifo("stdout");
      const reader = openSync(pipe, constants.O_RDONLY | constants.O_NONBLOCK);
      const writer = openSync(pipe, constants.O_WRONLY);
      const child = spawn(
        process.execPath,
        ["--import", "tsx", path.join(ROOT, "src/cli/main.ts"), ...args],
        {
          cwd: ROOT,
          env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "" },
          stdio: ["ignore", writer, "pipe"],
        },
      );
      closeSync(writer);
      closeSync(reader);
      let stderr = "";
      child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
      const [code] = (await once(child, "exit")) as [number | null];
      expect(code, `${args.join(" ")}: ${stderr}`).toBe(0);
      expect(stderr).not.toMatch(/EPIPE|\n\s+at /);
    }
  });

  it("ends on the first Ctrl-C while it waits on nothing paid (a manifest pipe nobody writes)", async () => {
    redis = await testRedis();
    const manifest = await fifo("manifest.csv");
    const out = path.join(await tempDir(), "out");
    const run = spawnCli(["run", manifest, "--out", out, "--simulate"], {
      REDIS_URL: redis.url,
      RUNFLOW_BATCH_PREFIX: redis.prefix,
    });
    // The child opened the pipe: it is past start-up, and will wait for lines that never come.
    fds.push(await writerOnceRead(manifest));
    run.child.kill("SIGINT"); // once
    expect(await run.exited).toBe(130);
    expect(run.output()).toContain("stopping cleanly");
    expect(run.output()).toContain("with nothing paid in flight; exiting now");
    expect(run.output()).not.toMatch(/\n\s+at /);
  });
});
