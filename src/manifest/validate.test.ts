import { describe, expect, it } from "vitest";
import { NO_DEFAULTS, parseManifestDefaults, withFlagDefaults } from "./defaults.js";
import type { ManifestItem, RawRow } from "./types.js";
import { createRowValidator } from "./validate.js";

const FILE = "jobs.csv";
let line = 1;
const raw = (fields: Record<string, unknown>): RawRow => ({ location: { file: FILE, line: ++line }, fields });
const check = (fields: Record<string, unknown>, options: Parameters<typeof createRowValidator>[0] = {}) =>
  createRowValidator(options).validate(raw(fields));
const problems = (item: ManifestItem) =>
  item.ok ? [] : item.problems.map((p) => p.message.replace(/^jobs\.csv line \d+: /, ""));
const ok = (item: ManifestItem) => {
  if (!item.ok) throw new Error(`expected a valid row, got: ${problems(item).join(" | ")}`);
  return item.row;
};

const URL_A = "https://example.com/a.png";
const gen = (extra: Record<string, unknown> = {}) => ({
  id: "r1",
  model: "openai/gpt-image-2",
  prompt: "a red shoe",
  ...extra,
});

describe("openai/gpt-image-2 rows", () => {
  it("resolve quality (model default high) and num_images into the input", () => {
    const row = ok(check(gen()));
    expect(row).toMatchObject({
      key: "r1",
      model: "openai/gpt-image-2",
      quality: "high",
      images: 1,
      metadata: null,
    });
    expect(row.input).toEqual({ prompt: "a red shoe", quality: "high", num_images: 1 });
  });

  it("convert CSV strings: num_images, WxH sizes, sync_mode; keep presets", () => {
    const row = ok(
      check(
        gen({
          quality: "low",
          num_images: "3",
          image_size: "1024x768",
          sync_mode: "true",
          output_format: "webp",
        }),
      ),
    );
    expect(row.input).toEqual({
      prompt: "a red shoe",
      quality: "low",
      num_images: 3,
      image_size: { width: 1024, height: 768 },
      sync_mode: true,
      output_format: "webp",
    });
    expect(row.images).toBe(3);
    expect(ok(check(gen({ image_size: "landscape_16_9", sync_mode: "no" }))).input).toMatchObject({
      image_size: "landscape_16_9",
      sync_mode: false,
    });
  });

  it.each([
    [{ quality: "ultra" }, 'quality must be one of low, medium, high, got "ultra"'],
    [{ num_images: "0" }, "num_images must be a whole number from 1 to 4, got 0"],
    [{ num_images: "5" }, "num_images must be a whole number from 1 to 4, got 5"],
    [{ num_images: "2.5" }, "num_images must be a whole number from 1 to 4, got 2.5"],
    [{ num_images: "two" }, 'num_images must be a whole number from 1 to 4, got "two"'],
    [
      { image_size: "huge" },
      "image_size must be one of square_hd, square, portrait_4_3, portrait_16_9, " +
        'landscape_4_3, landscape_16_9, or {width, height}, got "huge"',
    ],
    [
      { image_size: "auto" },
      "image_size must be one of square_hd, square, portrait_4_3, portrait_16_9, " +
        'landscape_4_3, landscape_16_9, or {width, height}, got "auto"',
    ],
    [
      { image_size: "1000x1000" },
      'image_size must be width and height that are multiples of 16, got {"width":1000,"height":1000}',
    ],
    [
      { image_size: "4096x1024" },
      'image_size must be a longest side of at most 3840, got {"width":4096,"height":1024}',
    ],
    [
      { image_size: "3072x1008" },
      'image_size must be an aspect ratio of at most 3:1, got {"width":3072,"height":1008}',
    ],
    [
      { image_size: "512x512" },
      'image_size must be a total of 655,360 to 8,294,400 pixels, got {"width":512,"height":512}',
    ],
    [{ output_format: "gif" }, 'output_format must be one of png, jpeg, webp, got "gif"'],
    [{ sync_mode: "maybe" }, 'sync_mode must be true or false, got "maybe"'],
    [{ prompt: "" }, "prompt is required by openai/gpt-image-2 but is missing"],
    [{ prompt: "x".repeat(32_001) }, "prompt must be a prompt of at most 32000 characters"],
    [
      { background: "transparent" },
      'background is not an input of openai/gpt-image-2, got "transparent"; leave it empty for this model',
    ],
  ])("reject %j", (extra, message) => {
    const found = problems(check(gen(extra)));
    expect(found).toHaveLength(1);
    expect(found[0]).toContain(message);
  });

  it("accept every tier, 1–4 images and the size limits", () => {
    for (const quality of ["low", "medium", "high"])
      expect(ok(check(gen({ quality }))).quality).toBe(quality);
    for (const n of [1, 2, 3, 4]) expect(ok(check(gen({ num_images: String(n) }))).images).toBe(n);
    for (const size of ["3840x1280", "1024x640", "2880x2880", "square_hd", "portrait_16_9"])
      ok(check(gen({ image_size: size })));
  });

  it("list every problem of a row, not just the first", () => {
    expect(problems(check(gen({ quality: "ultra", num_images: "9", output_format: "bmp" })))).toHaveLength(3);
  });
});

describe("openai/gpt-image-2/edit rows", () => {
  const edit = (extra: Record<string, unknown> = {}) => ({
    id: "e1",
    model: "openai/gpt-image-2/edit",
    prompt: "make it blue",
    image_urls: URL_A,
    ...extra,
  });
  it("split |-separated image_urls and accept auto size and a mask", () => {
    const row = ok(
      check(
        edit({
          image_urls: `${URL_A} | https://example.com/b.png|`,
          image_size: "auto",
          mask_url: "https://example.com/m.png",
        }),
      ),
    );
    expect(row.input).toMatchObject({
      image_urls: [URL_A, "https://example.com/b.png"],
      image_size: "auto",
      mask_url: "https://example.com/m.png",
    });
  });
  it.each([
    [{ image_urls: "" }, "image_urls is required by openai/gpt-image-2/edit but is missing"],
    [{ image_urls: "|" }, "image_urls must be at least one image URL, got []"],
    [
      { image_urls: `${URL_A}|ftp://example.com/b.png` },
      'image_urls item 2 must be an http(s) URL, got "ftp://example.com/b.png"',
    ],
    [{ mask_url: "not a url" }, 'mask_url must be an http(s) URL, got "not a url"'],
    [{ prompt: "" }, "prompt is required by openai/gpt-image-2/edit"],
  ])("reject %j", (extra, message) => {
    expect(problems(check(edit(extra)))).toEqual([expect.stringContaining(message)]);
  });
});

describe("openai/gpt-image-1.5 rows", () => {
  const classic = (extra: Record<string, unknown> = {}) => ({
    id: "c1",
    model: "openai/gpt-image-1.5",
    prompt: "a mug",
    ...extra,
  });
  it("keep image_size as the string the model takes, and accept background", () => {
    const row = ok(check(classic({ image_size: "1536x1024", background: "transparent", quality: "medium" })));
    expect(row.input).toEqual({
      prompt: "a mug",
      image_size: "1536x1024",
      background: "transparent",
      quality: "medium",
      num_images: 1,
    });
  });
  it.each([
    [{ prompt: "x" }, 'prompt must be a prompt of at least 2 characters, got "x"'],
    [
      { image_size: "1024x768" },
      'image_size must be one of 1024x1024, 1536x1024, 1024x1536, auto, got "1024x768"',
    ],
    [{ background: "green" }, 'background must be one of auto, transparent, opaque, got "green"'],
    [{ sync_mode: "true" }, "sync_mode is not an input of openai/gpt-image-1.5"],
  ])("reject %j", (extra, message) => {
    expect(problems(check(classic(extra)))).toEqual([expect.stringContaining(message)]);
  });
});

describe("per-request models", () => {
  it("tag-removal: aspect_ratio goes under config; quality is null; quality flags are ignored", () => {
    const row = ok(
      check(
        { id: "t1", model: "runflow/tag-removal", image_url: URL_A, aspect_ratio: "4:3" },
        { defaults: withFlagDefaults(NO_DEFAULTS, { quality: "low" }) },
      ),
    );
    expect(row).toMatchObject({
      quality: null,
      images: 1,
      input: { image_url: URL_A, config: { aspect_ratio: "4:3" } },
    });
  });
  it("tag-removal: rejects a missing or non-http image_url and a quality of its own", () => {
    expect(problems(check({ id: "t", model: "runflow/tag-removal" }))).toEqual([
      "image_url is required by runflow/tag-removal but is missing",
    ]);
    expect(
      problems(check({ id: "t", model: "runflow/tag-removal", image_url: "ftp://example.com/x.png" })),
    ).toEqual(['image_url must be an http(s) URL, got "ftp://example.com/x.png"']);
    expect(
      problems(check({ id: "t", model: "runflow/tag-removal", image_url: URL_A, quality: "high" })),
    ).toEqual(['quality is not an input of runflow/tag-removal, got "high"; leave it empty for this model']);
  });
  it("product-isolation: needs https, an aspect ratio and a resolution", () => {
    const iso = {
      id: "p",
      model: "runflow/product-isolation",
      image_url: URL_A,
      aspect_ratio: "1:1",
      resolution: "2K",
    };
    expect(ok(check(iso)).input).toEqual({ image_url: URL_A, aspect_ratio: "1:1", resolution: "2K" });
    expect(problems(check({ ...iso, image_url: "http://example.com/a.png" }))).toEqual([
      'image_url must be an https URL, got "http://example.com/a.png"',
    ]);
    expect(problems(check({ ...iso, aspect_ratio: "7:5", resolution: "8K" }))).toEqual([
      'aspect_ratio must be one of 1:1, 2:3, 3:2, 3:4, 4:3, 4:5, 5:4, 9:16, 16:9, 21:9, got "7:5"',
      'resolution must be one of 1K, 2K, 4K, got "8K"',
    ]);
    expect(problems(check({ id: "p", model: "runflow/product-isolation", image_url: URL_A }))).toEqual([
      "aspect_ratio is required by runflow/product-isolation but is missing; " +
        "give one of 1:1, 2:3, 3:2, 3:4, 4:3, 4:5, 5:4, 9:16, 16:9, 21:9",
      "resolution is required by runflow/product-isolation but is missing; give one of 1K, 2K, 4K",
    ]);
  });
});

describe("values as people write them", () => {
  it("matches fixed values in any case and sends Runflow's spelling", () => {
    const gen = ok(
      check({
        id: "g",
        model: "OpenAI/GPT-Image-2",
        prompt: "p",
        quality: "HIGH",
        output_format: "PNG",
        image_size: "Square_HD",
      }),
    );
    expect(gen.model).toBe("openai/gpt-image-2");
    expect(gen.quality).toBe("high");
    expect(gen.input).toMatchObject({ quality: "high", output_format: "png", image_size: "square_hd" });
    expect(ok(check({ id: "q", model: "openai/gpt-image-2", prompt: "p", quality: " High " })).quality).toBe(
      "high",
    );
    const iso = ok(
      check({
        id: "p",
        model: "runflow/product-isolation",
        image_url: URL_A,
        aspect_ratio: "1:1",
        resolution: "4k",
      }),
    );
    expect(iso.input).toEqual({ image_url: URL_A, aspect_ratio: "1:1", resolution: "4K" });
    const g15 = ok(
      check({
        id: "o",
        model: "openai/gpt-image-1.5",
        prompt: "pp",
        image_size: "1024X1536",
        background: "Transparent",
      }),
    );
    expect(g15.input).toMatchObject({ image_size: "1024x1536", background: "transparent" });
  });

  it("still lists the allowed values for a value that is not one of them", () => {
    expect(problems(check({ id: "g", model: "openai/gpt-image-2", prompt: "p", quality: "ULTRA" }))).toEqual([
      'quality must be one of low, medium, high, got "ULTRA"',
    ]);
  });

  it("says a local file is not a URL, and how to fix it", () => {
    const fix =
      "is a local file; Runflow fetches images by URL: upload it (e.g. to your CDN or a bucket) and give its https URL";
    expect(problems(check({ id: "t", model: "runflow/tag-removal", image_url: "./raw/boot.jpg" }))).toEqual([
      `image_url ${fix} (got "./raw/boot.jpg")`,
    ]);
    const edit = {
      id: "e",
      model: "openai/gpt-image-2/edit",
      prompt: "p",
      image_urls: [URL_A, "C:\\shots\\a.png"],
    };
    expect(problems(check(edit))).toEqual([`image_urls item 2 ${fix} (got "C:\\\\shots\\\\a.png")`]);
    for (const local of ["/data/a.png", "~/a.png", "file:///x.png", "boot.jpg", "../raw/b.webp"]) {
      expect(problems(check({ id: "t", model: "runflow/tag-removal", image_url: local }))[0]).toContain(fix);
    }
    expect(problems(check({ id: "t", model: "runflow/tag-removal", image_url: "not a url" }))).toEqual([
      'image_url must be an http(s) URL, got "not a url"',
    ]);
  });
});

describe("models and defaults", () => {
  it("reject a missing or unknown model, suggesting the nearest", () => {
    expect(problems(check({ id: "x", prompt: "p" }))[0]).toMatch(
      /^model is missing: give one of .* or with --model$/,
    );
    expect(problems(check({ id: "x", model: "openai/gpt-image2", prompt: "p" }))[0]).toMatch(
      /got "openai\/gpt-image2" — did you mean openai\/gpt-image-2\?$/,
    );
  });
  it("precedence: row > flag > manifest defaults > model default", () => {
    const manifest = parseManifestDefaults({ model: "openai/gpt-image-1.5", quality: "medium" }, "m.json");
    const both = withFlagDefaults(manifest, { model: "openai/gpt-image-2", quality: "low" });
    expect(ok(check({ prompt: "pp" }, { defaults: manifest }))).toMatchObject({
      model: "openai/gpt-image-1.5",
      quality: "medium",
    });
    expect(ok(check({ prompt: "pp" }, { defaults: both }))).toMatchObject({
      model: "openai/gpt-image-2",
      quality: "low",
    });
    expect(
      ok(
        check(
          { prompt: "pp", quality: "high", model: "openai/gpt-image-2/edit", image_urls: URL_A },
          { defaults: both },
        ),
      ),
    ).toMatchObject({ model: "openai/gpt-image-2/edit", quality: "high" });
  });
});

describe("ids and keys", () => {
  it("accept printable ids (SKUs with / and spaces) and JSON numbers; reject overlong ids, control chars", () => {
    expect(ok(check(gen({ id: "  sku-1.front_v2  " }))).key).toBe("sku-1.front_v2");
    expect(ok(check(gen({ id: 42 }))).key).toBe("42");
    expect(ok(check(gen({ id: "é".repeat(128) }))).key).toHaveLength(128);
    expect(problems(check(gen({ id: "x".repeat(129) })))).toEqual([
      'id must be at most 128 characters (it has 129), got "' + "x".repeat(129) + '"',
    ]);
    for (const id of ["ABC/123", "a:b", "SKU 7", "../x"]) expect(ok(check(gen({ id }))).key).toBe(id);
    for (const id of ["a\u0000b", "a\tb", "a\nb"])
      expect(problems(check(gen({ id })))[0]).toMatch(
        /^id must be 1 to 128 characters of text, without control characters/,
      );
    expect(problems(check(gen({ id: true })))[0]).toMatch(/^id must be text of/);
  });
  it("report a duplicate id on the later row, naming the earlier line", () => {
    const validator = createRowValidator();
    const first = validator.validate({ location: { file: FILE, line: 2 }, fields: gen({ id: "dup" }) });
    const second = validator.validate({
      location: { file: FILE, line: 9 },
      fields: gen({ id: "dup", prompt: "other" }),
    });
    expect(first.ok).toBe(true);
    expect(problems(second)).toEqual([
      'id "dup" is already used on line 2; ids must be unique — rename one of them',
    ]);
  });
  it("derive stable keys from content for rows without id; identical rows are a problem", () => {
    const a = ok(createRowValidator().validate(raw(gen({ id: "" }))));
    const b = ok(createRowValidator().validate(raw(gen({ id: undefined }))));
    expect(a.key).toMatch(/^row-[0-9a-f]{16}$/);
    expect(b.key).toBe(a.key);
    const differentTier = ok(createRowValidator().validate(raw(gen({ id: "", quality: "low" }))));
    expect(differentTier.key).not.toBe(a.key);
    const validator = createRowValidator();
    validator.validate({ location: { file: FILE, line: 3 }, fields: gen({ id: "" }) });
    expect(
      problems(validator.validate({ location: { file: FILE, line: 4 }, fields: gen({ id: "" }) }))[0],
    ).toMatch(/^row is identical to the one on line 3 and has no id/);
  });
});

describe("metadata", () => {
  it("merges metadata.<key> cells and a metadata object over the manifest's metadata", () => {
    const defaults = parseManifestDefaults({ metadata: { team: "catalogue", season: "spring" } }, "m.json");
    const row = ok(
      check(gen({ "metadata.sku": "S-1", metadata: { season: "autumn", count: 3 } }), {
        defaults,
        json: true,
      }),
    );
    expect(row.metadata).toEqual({ team: "catalogue", season: "autumn", sku: "S-1", count: "3" });
  });
  it("rejects nested metadata values and a non-object metadata", () => {
    expect(problems(check(gen({ metadata: { a: { b: 1 } } }), { json: true }))).toEqual([
      'metadata.a must be text, got {"b":1}',
    ]);
    expect(problems(check(gen({ metadata: "x" }), { json: true }))).toEqual([
      'metadata must be an object of text values, got "x"',
    ]);
  });
});
