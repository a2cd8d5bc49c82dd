import { Writable } from "node:stream";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../cli/program.js";
import { tempFiles } from "../../test/helpers/manifest-files.js";

const files = tempFiles();
afterAll(() => files.cleanup());

function sink() {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return { stream, text: () => chunks.join("") };
}

async function estimate(...args: string[]) {
  const stdout = sink();
  const stderr = sink();
  const code = await runCli(["estimate", ...args], { stdout: stdout.stream, stderr: stderr.stream, env: {} });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

describe("runflow-batch estimate", () => {
  it("prints a table per model × tier with the total, the all-at-one-tier figures and the assumptions", async () => {
    const { code, stdout, stderr } = await estimate("jobs/catalogue.csv");
    expect(code).toBe(0);
    expect(stderr).toBe("");
    expect(stdout).toContain("jobs/catalogue.csv: 24 rows, all valid. Prices: built-in 2026-04-21.");
    expect(stdout).toMatch(/openai\/gpt-image-2\s+low\s+1\s+4\s+0\.036\n/);
    expect(stdout).toMatch(/runflow\/product-isolation\s+per request\s+4\s+4\s+1\.080\n/);
    expect(stdout).toMatch(/total\s+24\s+35\s+3\.323\n/);
    expect(stdout).toMatch(/all low\s+1\.883\n\s+all medium\s+2\.558\n\s+all high\s+5\.231\n/);
    expect(stdout).toContain("openai/gpt-image-1.5 low and medium prices are not published");
  });

  it("--format json gives the cost report's totals/by_tier shapes without actual figures", async () => {
    const { code, stdout } = await estimate("jobs/nightly.jsonl", "--format", "json");
    expect(code).toBe(0);
    const json = JSON.parse(stdout) as Record<string, unknown>;
    expect(json.totals).toEqual({ rows: 6, images: 10, estimated_usd: "0.681" });
    expect(json.by_tier).toEqual([
      { model: "openai/gpt-image-2", quality: "low", rows: 1, images: 4, estimated_usd: "0.036" },
      { model: "openai/gpt-image-2", quality: "medium", rows: 1, images: 2, estimated_usd: "0.068" },
      { model: "openai/gpt-image-2", quality: "high", rows: 1, images: 1, estimated_usd: "0.133" },
      { model: "openai/gpt-image-2/edit", quality: "medium", rows: 1, images: 1, estimated_usd: "0.034" },
      { model: "runflow/tag-removal", quality: null, rows: 1, images: 1, estimated_usd: "0.140" },
      { model: "runflow/product-isolation", quality: null, rows: 1, images: 1, estimated_usd: "0.270" },
    ]);
    // 8 per-image images at each tier + $0.41 of per-request rows.
    expect(json.if_all_at).toEqual({ low: "0.482", medium: "0.682", high: "1.474" });
    expect(json.invalid_rows).toBe(0);
    expect((json.prices as Record<string, unknown>).source).toBe("built-in 2026-04-21");
  });

  it("--model and --quality fill empty cells; --input-format reads an unusual extension", async () => {
    const path = files.write(
      "prompts.txt",
      '{"prompt": "a blue mug"}\n{"prompt": "a red mug", "quality": "high"}\n',
    );
    const { code, stdout } = await estimate(
      path,
      "--input-format",
      "jsonl",
      "--model",
      "openai/gpt-image-2",
      "--quality",
      "low",
      "--format",
      "json",
    );
    expect(code).toBe(0);
    expect((JSON.parse(stdout) as { totals: unknown }).totals).toEqual({
      rows: 2,
      images: 2,
      estimated_usd: "0.142",
    });
  });

  it("lists every invalid row on stderr and exits 2 without pricing", async () => {
    const path = files.write(
      "bad.csv",
      "id,model,prompt,quality\na,openai/gpt-image-2,p,ultra\nb,openai/gpt-image-2,p,low\nc,openai/gpt-image-3,p,low\n",
    );
    const { code, stdout, stderr } = await estimate(path);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toBe(
      `${path}: 2 of 3 rows invalid (2 problems):\n` +
        `${path} line 2: quality must be one of low, medium, high, got "ultra"\n` +
        `${path} line 4: model must be one of openai/gpt-image-2, openai/gpt-image-2/edit, openai/gpt-image-1.5, runflow/tag-removal, runflow/product-isolation, got "openai/gpt-image-3" — did you mean openai/gpt-image-2?\n` +
        "Nothing was priced: fix the rows above, or pass --skip-invalid to price only the valid rows.\n",
    );
  });

  it("--skip-invalid prices the valid rows, lists the rest and exits 0", async () => {
    const path = files.write(
      "some-bad.csv",
      "id,model,prompt,quality\na,openai/gpt-image-2,p,ultra\nb,openai/gpt-image-2,p,low\n",
    );
    const { code, stdout, stderr } = await estimate(path, "--skip-invalid");
    expect(code).toBe(0);
    expect(stderr).toContain('line 2: quality must be one of low, medium, high, got "ultra"');
    expect(stdout).toContain("2 rows, 1 invalid (skipped, listed on stderr)");
    expect(stdout).toMatch(/total\s+1\s+1\s+0\.009/);
  });

  it("--skip-invalid with no valid row at all still exits 2", async () => {
    const path = files.write("all-bad.csv", "id,model,prompt\na,openai/gpt-image-3,p\n");
    const { code, stderr } = await estimate(path, "--skip-invalid");
    expect(code).toBe(2);
    expect(stderr).toContain("No valid rows to price.");
  });

  it("caps the printout and says how many more problems there are", async () => {
    const lines = ["id,model,prompt"];
    for (let i = 0; i < 30; i++) lines.push(`r${i},nope,p`);
    const { code, stderr } = await estimate(files.write("many.csv", `${lines.join("\n")}\n`));
    expect(code).toBe(2);
    expect(stderr).toContain("30 of 30 rows invalid (30 problems)");
    expect(stderr).toContain("… and 10 more problems");
  });

  it("malformed manifests and unknown columns exit 2 with one sentence each, no stack trace", async () => {
    const broken = await estimate(files.write("broken.jsonl", '{"prompt": "a"}\n{"prompt": \n'));
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/broken\.jsonl line 1: model is missing/);
    expect(broken.stderr).toMatch(/broken\.jsonl line 2: not valid JSON/);
    expect(broken.stderr).not.toContain("    at ");
    const typo = await estimate(files.write("typo.csv", "id,model,promt\n"));
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain("unknown column `promt` — did you mean `prompt`?");
    const missing = await estimate(`${files.dir}/nope.csv`);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("nope.csv: no such file");
  });

  it("--prices replaces built-in prices; a bad prices file exits 2 naming the entry", async () => {
    const prices = files.write("prices.json", JSON.stringify({ "openai/gpt-image-2": { low: "0.02" } }));
    const { code, stdout } = await estimate("jobs/nightly.jsonl", "--prices", prices, "--format", "json");
    expect(code).toBe(0);
    const json = JSON.parse(stdout) as {
      by_tier: { quality: string | null; estimated_usd: string }[];
      prices: { source: string };
    };
    expect(json.by_tier[0]).toMatchObject({ quality: "low", estimated_usd: "0.080" });
    expect(json.prices.source).toBe(prices);
    const bad = await estimate(
      "jobs/nightly.jsonl",
      "--prices",
      files.write("bad-prices.json", '{"runflow/tag-removal": {"request": "lots"}}'),
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('"runflow/tag-removal".request must be a dollar amount');
  });

  it("rejects unknown option values with exit 2, and --help shows examples", async () => {
    expect((await estimate("jobs/catalogue.csv", "--quality", "ultra")).code).toBe(2);
    expect((await estimate("jobs/catalogue.csv", "--format", "xml")).code).toBe(2);
    const help = await estimate("--help");
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("--input-format <format>");
    expect(help.stdout).toContain("runflow-batch estimate jobs/catalogue.csv --format json");
  });
});
