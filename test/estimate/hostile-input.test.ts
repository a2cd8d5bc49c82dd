/**
 * Files a user can get wrong in ways that once crashed or ate memory: every one must end in a
 * sentence and exit 2, never a stack trace, a hang or a damaged prompt sent for money.
 */
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { cli, spawnCli } from "../helpers/cli.js";
import { tempDir } from "../helpers/manifests.js";

async function estimate(name: string, content: string | Buffer, extra: string[] = []) {
  const dir = await tempDir();
  const file = path.join(dir, name);
  await writeFile(file, content);
  return cli(["estimate", file, ...extra], {});
}

const noStack = (text: string) => expect(text).not.toMatch(/\n\s+at |unexpected error/);

describe("estimate on hostile input", () => {
  it("reports deeply nested JSON as a problem, not a stack overflow", async () => {
    const result = await estimate("deep.json", "[" + "[".repeat(50_000) + "]".repeat(50_000) + "]");
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/index 0: expected a job object .*got an array/);
    noStack(result.stderr);
    const nested = await estimate(
      "nested.jsonl",
      JSON.stringify({ model: "openai/gpt-image-2", prompt: "x" }).replace(
        '"x"',
        "[".repeat(20_000) + "]".repeat(20_000),
      ) + "\n",
    );
    expect(nested.code).toBe(2);
    expect(nested.stderr).toMatch(/nested too deeply to show/);
    noStack(nested.stderr);
  });

  it("refuses a JSONL line or CSV row longer than 1 MiB instead of buffering it", async () => {
    const jsonl = await estimate(
      "long.jsonl",
      JSON.stringify({ id: "a", model: "openai/gpt-image-2", prompt: "x".repeat(3_000_000) }) + "\n",
    );
    expect(jsonl.code).toBe(2);
    expect(jsonl.stderr).toMatch(/long\.jsonl line 1: line is longer than 1,048,576 characters/);
    const csv = await estimate(
      "long.csv",
      `id,model,prompt\na,openai/gpt-image-2,"${"x".repeat(2_000_000)}"\n`,
    );
    expect(csv.code).toBe(2);
    expect(csv.stderr).toMatch(/longer than 1 MiB/);
    noStack(jsonl.stderr + csv.stderr);
  });

  it("refuses text that is not UTF-8 rather than paying for a damaged prompt", async () => {
    const result = await estimate(
      "latin1.csv",
      Buffer.concat([
        Buffer.from("id,model,prompt\nr1,openai/gpt-image-2,caf"),
        Buffer.from([0xe9]),
        Buffer.from(" au lait\n"),
      ]),
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /latin1\.csv: bytes that are not valid UTF-8 .* in 1 row, on line 2 .*--encoding windows-1252, or save it as UTF-8/,
    );
  });

  it("refuses an absurd price instead of overflowing the totals", async () => {
    const dir = await tempDir();
    const prices = path.join(dir, "prices.json");
    await writeFile(prices, JSON.stringify({ "openai/gpt-image-2": { high: "9000000000" } }));
    const result = await estimate("ok.csv", "id,model,prompt\nr1,openai/gpt-image-2,a chair\n", [
      "--prices",
      prices,
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/"openai\/gpt-image-2"\.high must be at most \$1,000 per image or request/);
    noStack(result.stderr);
  });

  it("stops at once on SIGTERM instead of finishing (nothing to hand back)", async () => {
    // The manifest comes on stdin and never ends: estimate is mid-read, and can only end by the signal.
    const child = spawnCli(["estimate", "-", "--input-format", "csv"], {}, { stdin: true });
    const stdin = child.child.stdin!;
    stdin.on("error", () => undefined); // the pipe closes when the child exits
    const rows = "r1,openai/gpt-image-2,a chair on white,low\n".repeat(50_000); // ~2 MB: more than a pipe holds
    // write() resolves once the child has read enough for the rest to fit in the pipe: it is reading.
    await new Promise<void>((resolve) => stdin.write("id,model,prompt,quality\n" + rows, () => resolve()));
    child.child.kill("SIGTERM");
    expect(await child.exited).toBe(130);
    expect(child.output()).not.toMatch(/TOTAL|Error|\n\s+at /);
  });
});
