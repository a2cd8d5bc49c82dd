import { afterAll, describe, expect, it } from "vitest";
import { formatProblems } from "../manifest/index.js";
import { scanManifest } from "./scan.js";
import { parsePriceTable } from "./prices-file.js";
import { collect, rows, tempFiles } from "../../test/helpers/manifest-files.js";

const files = tempFiles();
afterAll(() => files.cleanup());

describe("scanManifest", () => {
  it("counts rows, keeps problems in file order and prices the valid rows", async () => {
    const path = files.write(
      "mixed.csv",
      "id,model,prompt,quality,num_images\na,openai/gpt-image-2,p,low,2\nb,openai/gpt-image-2,p,ultra,\n" +
        "c,openai/gpt-image-2,p,,\na,openai/gpt-image-2,p,high,9\n",
    );
    const scan = await scanManifest({ path });
    expect(scan).toMatchObject({ format: "csv", rows: 4, validRows: 2, invalidRows: 2, problemCount: 3 });
    expect(scan.problems.map((p) => p.message)).toEqual([
      `${path} line 3: quality must be one of low, medium, high, got "ultra"`,
      `${path} line 5: id "a" is already used on line 2; ids must be unique — rename one of them`,
      `${path} line 5: num_images must be a whole number from 1 to 4, got 9`,
    ]);
    expect(scan.cost.estimatedMicros).toBe(2 * 9_000 + 133_000);
  });

  it("keeps at most maxProblems in memory but counts them all", async () => {
    const lines = ["id,model,prompt"];
    for (let i = 0; i < 50; i++) lines.push(`r${i},openai/gpt-image-3,p`);
    const scan = await scanManifest(
      { path: files.write("bad.csv", `${lines.join("\n")}\n`) },
      { maxProblems: 10 },
    );
    expect(scan.problems).toHaveLength(10);
    expect(scan.problemCount).toBe(50);
    expect(formatProblems(scan.problems, 5, scan.problemCount).split("\n").at(-1)).toBe(
      "… and 45 more problems",
    );
  });

  it("turns a missing price into a problem of the row, never a zero", async () => {
    const prices = parsePriceTable({ "openai/gpt-image-1.5": { high: "0.133" } }, "p.json", {
      source: "none",
      models: {},
      assumptions: [],
    });
    const path = files.write(
      "unpriced.jsonl",
      '{"id":"a","model":"openai/gpt-image-1.5","prompt":"pp","quality":"low"}\n' +
        '{"id":"b","model":"openai/gpt-image-1.5","prompt":"pp"}\n',
    );
    const scan = await scanManifest({ path }, { prices });
    expect(scan.validRows).toBe(1);
    expect(scan.problems.map((p) => p.message)).toEqual([
      `${path} line 1: no price for openai/gpt-image-1.5 at quality low in the price table (p.json); ` +
        `add it to a prices file and pass --prices FILE`,
    ]);
    expect(scan.cost.estimatedMicros).toBe(133_000);
  });

  it("agrees with the example manifests in jobs/, which are all valid", async () => {
    for (const name of ["jobs/catalogue.csv", "jobs/lookbook.json", "jobs/nightly.jsonl"]) {
      const scan = await scanManifest({ path: name });
      expect(scan.problems.map((p) => p.message)).toEqual([]);
      expect(scan.validRows).toBeGreaterThan(5);
      expect(scan.validRows).toBe(rows(await collect(name)).length);
    }
    const catalogue = await scanManifest({ path: "jobs/catalogue.csv" });
    expect(new Set(catalogue.cost.byTier.map((tier) => tier.model)).size).toBe(5);
    expect(catalogue.cost.byTier.filter((tier) => tier.quality !== null).map((tier) => tier.quality)).toEqual(
      expect.arrayContaining(["low", "medium", "high"]),
    );
  });

  it("gives the same derived keys on every pass", async () => {
    const path = files.write("noid.csv", "model,prompt\nopenai/gpt-image-2,one\nopenai/gpt-image-2,two\n");
    const first = rows(await collect(path)).map((row) => row.key);
    const second = rows(await collect(path)).map((row) => row.key);
    expect(first).toEqual(second);
    expect(new Set(first).size).toBe(2);
  });
});
