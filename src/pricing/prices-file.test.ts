import { afterAll, describe, expect, it } from "vitest";
import { UsageError } from "../core/errors.js";
import { loadPriceTable } from "./prices-file.js";
import { BUILT_IN_PRICES } from "./table.js";
import { tempFiles } from "../../test/helpers/manifest-files.js";

const files = tempFiles();
afterAll(() => files.cleanup());

describe("loadPriceTable", () => {
  it("uses the built-in prices without a file", async () => {
    expect(await loadPriceTable()).toBe(BUILT_IN_PRICES);
  });
  it("reads and validates a prices file", async () => {
    const path = files.write("prices.json", '{"runflow/tag-removal": {"request": "0.15"}}');
    const table = await loadPriceTable(path);
    expect(table.models["runflow/tag-removal"]).toEqual({ unit: "request", price: 150_000 });
    expect(table.source).toBe(path);
  });
  it("names the file when it is missing or not JSON", async () => {
    await expect(loadPriceTable(`${files.dir}/none.json`)).rejects.toThrow(
      `${files.dir}/none.json: cannot read the prices file (no such file; check the path).`,
    );
    const broken = files.write("broken.json", "{nope");
    await expect(loadPriceTable(broken)).rejects.toBeInstanceOf(UsageError);
    await expect(loadPriceTable(broken)).rejects.toThrow(`${broken}: not valid JSON`);
  });
});
