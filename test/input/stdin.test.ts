/**
 * `-` as the manifest reads standard input, in a real child process with a real pipe: estimate
 * (format sniffed or given), and run, whose re-run with the same input resumes the same batch.
 */
import { execFileSync, spawn } from "node:child_process";
import { once } from "node:events";
import { open, readFile, readdir } from "node:fs/promises";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ROOT } from "../helpers/cli.js";
import { tempDir } from "../helpers/manifests.js";
import { testRedis, type TestRedis } from "../helpers/redis.js";

interface Result {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** runflow-batch as a child process, `input` piped to its stdin (or /dev/null when null). */
async function piped(
  args: readonly string[],
  input: string | Buffer | null,
  env: Record<string, string>,
): Promise<Result> {
  const child = spawn(process.execPath, ["--import", "tsx", path.join(ROOT, "src/cli/main.ts"), ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", LOG_LEVEL: "warn", ...env },
    stdio: [input === null ? "ignore" : "pipe", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  if (input !== null) child.stdin?.end(input);
  const [code] = (await once(child, "exit")) as [number | null];
  return { code, stdout, stderr };
}

const jsonl = [
  { id: "s1", model: "openai/gpt-image-2", prompt: "a red chair", quality: "low" },
  { id: "s2", model: "openai/gpt-image-2", prompt: "a blue lamp", quality: "Medium", num_images: 2 },
  { id: "s3", model: "runflow/tag-removal", image_url: "https://example.com/tagged.png" },
]
  .map((row) => JSON.stringify(row))
  .join("\n");

describe("a manifest read from stdin", () => {
  let state: string;
  beforeEach(async () => {
    state = await tempDir("rfb-stdin-state-");
  });

  it("estimate - reads a CSV from a pipe and prices it like the file", async () => {
    const csv = await readFile(path.join(ROOT, "jobs/catalogue.csv"));
    const fromFile = await piped(["estimate", "jobs/catalogue.csv", "--format", "json"], null, {
      XDG_STATE_HOME: state,
    });
    const fromStdin = await piped(["estimate", "-", "--format", "json"], csv, { XDG_STATE_HOME: state });
    expect(fromStdin.code).toBe(0);
    const strip = (text: string) => ({ ...(JSON.parse(text) as Record<string, unknown>), manifest: null });
    expect(strip(fromStdin.stdout)).toEqual(strip(fromFile.stdout));
    expect((JSON.parse(fromStdin.stdout) as { manifest: string }).manifest).toBe("stdin");
    expect(fromStdin.stderr).toMatch(
      /^Read the manifest from stdin \([\d,]+ bytes, csv, guessed from the first line; --input-format sets it\); kept as .*\.csv\.\n$/,
    );
  });

  it("estimate - tells JSONL from its first line; problems name stdin and its line", async () => {
    const ok = await piped(["estimate", "-", "--format", "json"], jsonl + "\n", { XDG_STATE_HOME: state });
    expect(ok.code).toBe(0);
    const json = JSON.parse(ok.stdout) as { totals: { rows: number; estimated_usd: string } };
    expect(json.totals).toMatchObject({ rows: 3, estimated_usd: "0.217" }); // 0.009 + 2 × 0.034 + 0.14
    const bad = await piped(
      ["estimate", "-", "--input-format", "jsonl"],
      `${jsonl}\n{"id": "s4", "model": "openai/gpt-image-2", "prompt": "p", "quality": "top"}\n`,
      {
        XDG_STATE_HOME: state,
      },
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('stdin line 4: quality must be one of low, medium, high, got "top"');
  });

  it("a named pipe (or `<(…)`) is read once like stdin, named by its path", async () => {
    const fifo = path.join(state, "export.csv");
    execFileSync("mkfifo", [fifo]);
    const result = piped(["estimate", fifo, "--format", "json"], null, { XDG_STATE_HOME: state });
    const writer = await open(fifo, "w"); // completes once estimate has opened the pipe
    await writer.write("id;model;prompt;quality\nf1;openai/gpt-image-2;a chair;low\n");
    await writer.close();
    const { code, stdout, stderr } = await result;
    expect(code).toBe(0);
    expect((JSON.parse(stdout) as { manifest: string; totals: { rows: number } }).totals.rows).toBe(1);
    expect(stderr).toMatch(
      new RegExp(`^Read the manifest from ${fifo} \\(58 bytes, csv\\); kept as .*\\.csv\\.\n`),
    );
    expect(stderr).toContain(`${fifo}: columns are separated by \`;\``);
  });

  it("estimate - with nothing piped in says how to pipe a manifest", async () => {
    const result = await piped(["estimate", "-"], null, { XDG_STATE_HOME: state });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      "runflow-batch: `-` reads the manifest from standard input, but it was empty; pipe a CSV, JSON or JSONL manifest in\n",
    );
  });

  describe("run", () => {
    let redis: TestRedis;
    beforeEach(async () => {
      redis = await testRedis();
    });
    afterEach(async () => {
      await redis.cleanup();
    });

    it("run - --input-format jsonl works the rows, and the same input again resumes the same batch", async () => {
      const out = path.join(state, "out");
      const env = { XDG_STATE_HOME: state, REDIS_URL: redis.url, RUNFLOW_BATCH_PREFIX: redis.prefix };
      const args = [
        "run",
        "-",
        "--input-format",
        "jsonl",
        "--out",
        out,
        "--simulate",
        "--sim-latency",
        "20-50",
      ];
      const first = await piped(args, jsonl, env);
      expect(first.stderr).not.toContain("has no valid rows");
      expect(first.code).toBe(0);
      const batch = /Starting batch (\S+):/.exec(first.stderr)?.[1];
      expect(batch).toBeDefined();
      expect((await readdir(path.join(out, "images"))).length).toBe(4);
      const results = (await readFile(path.join(out, "results.jsonl"), "utf8")).trim().split("\n");
      expect(results).toHaveLength(3);

      const again = await piped(args, jsonl, env);
      expect(again.code).toBe(0);
      expect(again.stderr).toContain(`Resuming batch ${batch}:`);
      expect(again.stdout).toMatch(/3 succeeded, 0 failed/);
      // /dev/stdin is read once too (a second read would find nothing): the same batch again.
      const devStdin = await piped(["run", "/dev/stdin", ...args.slice(2)], jsonl, env);
      expect(devStdin.code).toBe(0);
      expect(devStdin.stderr).toContain(`Resuming batch ${batch}:`);
    });
  });
});
