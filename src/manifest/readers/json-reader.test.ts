import { afterAll, describe, expect, it } from "vitest";
import { ManifestError } from "../index.js";
import { collect, messages, rows, tempFiles } from "../../../test/helpers/manifest-files.js";

const files = tempFiles();
afterAll(() => files.cleanup());

const job = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  model: "openai/gpt-image-2",
  prompt: `prompt ${id}`,
  ...extra,
});

describe("JSON manifests", () => {
  it("reads an array of jobs, located by index", async () => {
    const path = files.write(
      "array.json",
      JSON.stringify([job("a"), job("b", { quality: "low", num_images: 2 })], null, 2),
    );
    const items = await collect(path);
    expect(rows(items).map((row) => [row.key, row.quality, row.images, row.location])).toEqual([
      ["a", "high", 1, { file: path, index: 0 }],
      ["b", "low", 2, { file: path, index: 1 }],
    ]);
  });

  it("applies defaults under row values, and only to models that take the input", async () => {
    const manifest = {
      defaults: {
        model: "openai/gpt-image-2",
        quality: "medium",
        output_format: "webp",
        metadata: { campaign: "spring" },
      },
      jobs: [
        { id: "a", prompt: "p" },
        {
          id: "b",
          prompt: "p",
          quality: "high",
          output_format: "png",
          metadata: { sku: "S1", campaign: "summer" },
        },
        { id: "c", model: "runflow/tag-removal", image_url: "https://example.com/a.png" },
      ],
    };
    const [a, b, c] = rows(await collect(files.write("defaults.json", JSON.stringify(manifest))));
    expect(a?.input).toEqual({ prompt: "p", quality: "medium", num_images: 1, output_format: "webp" });
    expect(a?.metadata).toEqual({ campaign: "spring" });
    expect(b?.input).toMatchObject({ quality: "high", output_format: "png" });
    expect(b?.metadata).toEqual({ campaign: "summer", sku: "S1" });
    expect(c?.input).toEqual({ image_url: "https://example.com/a.png" });
    expect(c?.quality).toBeNull();
  });

  it("lets --model/--quality beat the manifest's defaults but never a row's own value", async () => {
    const manifest = {
      defaults: { quality: "medium" },
      jobs: [
        { id: "a", prompt: "pp" },
        { id: "b", prompt: "pp", quality: "high" },
      ],
    };
    const path = files.write("flags.json", JSON.stringify(manifest));
    const [a, b] = rows(await collect(path, { defaults: { model: "openai/gpt-image-1.5", quality: "low" } }));
    expect([a?.model, a?.quality, b?.quality]).toEqual(["openai/gpt-image-1.5", "low", "high"]);
  });

  it("refuses defaults after jobs, unknown top-level keys, and bad defaults", async () => {
    await expect(collect(files.write("late.json", '{"jobs": [], "defaults": {}}'))).rejects.toThrow(
      '"defaults" must come before "jobs"',
    );
    await expect(collect(files.write("key.json", '{"job": []}'))).rejects.toThrow(
      "unknown top-level key `job` — did you mean `jobs`?",
    );
    await expect(
      collect(files.write("q.json", '{"defaults": {"quality": "ultra"}, "jobs": []}')),
    ).rejects.toThrow('quality must be one of low, medium, high, got "ultra"');
    await expect(
      collect(files.write("d.json", '{"defaults": {"qualty": "low"}, "jobs": []}')),
    ).rejects.toThrow("unknown key `qualty` — did you mean `quality`?");
    await expect(collect(files.write("nojobs.json", '{"defaults": {}}'))).rejects.toThrow(
      'has no "jobs" array',
    );
    await expect(collect(files.write("scalar.json", '"hello"'))).rejects.toThrow("expected an array of jobs");
  });

  it("gives the line of a syntax error", async () => {
    const text =
      '[\n  {"id": "a", "model": "openai/gpt-image-2", "prompt": "p"},\n  {"id": "b" "prompt": "p"}\n]\n';
    const error = (await collect(files.write("broken.json", text)).catch((e: unknown) => e)) as ManifestError;
    expect(error).toBeInstanceOf(ManifestError);
    expect(error.message).toMatch(
      /broken\.json line 3: malformed JSON: expected ','; check for a missing comma, quote or bracket near there\.$/,
    );
    expect(error.line).toBe(3);
  });

  it("says when the file ends before the JSON does", async () => {
    const error = (await collect(files.write("short.json", '[\n  {"id": "a", "prompt": "p"},\n')).catch(
      (e: unknown) => e,
    )) as ManifestError;
    expect(error).toBeInstanceOf(ManifestError);
    expect(error.message).toMatch(/short\.json line \d+: the file ends before the JSON is complete/);
  });

  it("reports a job that is not an object, and unknown keys with suggestions", async () => {
    const path = files.write("odd.json", JSON.stringify([42, job("a", { promt: "x" })]));
    expect(messages(await collect(path))).toEqual([
      `${path} index 0: expected a job object such as {"model": "…", "prompt": "…"}, got 42`,
      `${path} index 1: unknown key \`promt\` — did you mean \`prompt\`?`,
    ]);
  });

  it("takes image_urls as an array and image_size as an object", async () => {
    const path = files.write(
      "edit.json",
      JSON.stringify([
        {
          id: "e",
          model: "openai/gpt-image-2/edit",
          prompt: "p",
          image_urls: ["https://example.com/a.png"],
          image_size: { width: 1024, height: 768 },
        },
      ]),
    );
    const [edit] = rows(await collect(path));
    expect(edit?.input).toMatchObject({
      image_urls: ["https://example.com/a.png"],
      image_size: { width: 1024, height: 768 },
    });
  });
});

describe("JSONL manifests", () => {
  it("reads one object per line, skipping blank lines, with CRLF and a BOM", async () => {
    const text = `\ufeff${JSON.stringify(job("a"))}\r\n\r\n${JSON.stringify(job("b"))}\r\n`;
    const items = await collect(files.write("ok.jsonl", text));
    expect(rows(items).map((row) => [row.key, row.location])).toEqual([
      ["a", { file: expect.stringContaining("ok.jsonl"), line: 1 }],
      ["b", { file: expect.stringContaining("ok.jsonl"), line: 3 }],
    ]);
  });

  it("reads a last line without a newline", async () => {
    expect(
      rows(
        await collect(files.write("noeol.jsonl", `${JSON.stringify(job("a"))}\n${JSON.stringify(job("b"))}`)),
      ),
    ).toHaveLength(2);
  });

  it("reports each malformed line with its line number and reads on", async () => {
    const path = files.write(
      "bad.jsonl",
      `${JSON.stringify(job("a"))}\n\n{"id": "b", "prompt": }\n${JSON.stringify(job("c"))}\n{"id": "d"\n`,
    );
    const items = await collect(path);
    const [first, second] = messages(items);
    expect(first).toMatch(
      new RegExp(
        `^${path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} line 3: not valid JSON \\(.+\\); each line must be one complete JSON object`,
      ),
    );
    expect(second).toMatch(/ line 5: not valid JSON/);
    expect(messages(items)).toHaveLength(2);
    expect(rows(items).map((row) => row.key)).toEqual(["a", "c"]);
  });

  it("reports a line that is not an object as a problem of that row", async () => {
    const path = files.write("array.jsonl", `[1, 2]\n${JSON.stringify(job("a"))}\n`);
    const items = await collect(path);
    expect(messages(items)).toEqual([
      `${path} line 1: expected a JSON object such as {"model": "…", "prompt": "…"}, got [1,2]`,
    ]);
    expect(rows(items)).toHaveLength(1);
  });
});
