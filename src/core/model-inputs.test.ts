/**
 * The fast path of checkModelInput (input-fast-path.ts) may only ever say "valid" where the zod
 * schema says so too. Checked here over many generated inputs per model, valid and invalid, and
 * over URLs built to trip a hand-written URL check.
 */
import { describe, expect, it } from "vitest";
import { MODEL_IDS, type ModelId } from "./models.js";
import { plainHttpUrl } from "./input-fast-path.js";
import { checkModelInput, isCertainlyValidInput, MODEL_INPUT_SCHEMAS } from "./model-inputs.js";

function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const nullProto = (entries: Record<string, unknown>) => Object.assign(Object.create(null) as object, entries);
class Size {
  constructor(
    readonly width: number,
    readonly height: number,
  ) {}
}
const hiddenWidth = Object.defineProperty({ w: 1024, height: 768 }, "width", {
  value: 1024,
  enumerable: false,
});

const URLS = [
  "https://example.com/in/1.png",
  "http://example.com",
  "http://EXAMPLE.com:8080/x?y=1#z",
  "https://cdn.example.co.uk/a/b/c.jpg?v=2&w=3",
  "ftp://example.com/a",
  "https://",
  "http://1.2.3.4/x",
  "http://1.2.3.999/",
  "http://example.0x1/",
  "http://xn--a.com/",
  "http://xn--zz/",
  "http://a..b/",
  "http://-a.com/",
  "https://example.com:99999/",
  "https://example.com:65536/",
  " https://example.com",
  "HTTPS://EXAMPLE.COM",
  "https://user:pw@example.com/",
  "https://example.com/path with space",
  "https://exa mple.com",
  "https://例え.jp/",
  "javascript:alert(1)",
  "https:example.com",
  "https://example.com\\path",
  "http://localhost",
  "http://a",
  "https://example.com/--x",
  "https://ex--ample.com/",
  "http://[::1]/",
  "http://example.com./x",
  "http://example.123/",
  "http://123/",
  "http://0x7f.1/",
  "https://a.b.c.d.e.f/g?h#i",
  "",
  "https://example.com/%zz",
  "https://example.com/\u0000",
  "https://example.com#frag",
  "https://example.com?q",
  "http://a_b.com/",
];

function mutatedUrl(next: () => number): string {
  const base = URLS[Math.floor(next() * 4)] ?? "https://example.com/";
  const noise = [
    "",
    ".",
    "-",
    "--",
    ":",
    "/",
    "@",
    "?",
    "#",
    "[",
    "]",
    "%",
    "0",
    "9",
    "x",
    "X",
    " ",
    "\t",
    "\\",
    "é",
    "0x",
    "1",
  ];
  let text = base;
  const edits = 1 + Math.floor(next() * 3);
  for (let i = 0; i < edits; i++) {
    const at = Math.floor(next() * (text.length + 1));
    const piece = noise[Math.floor(next() * noise.length)] ?? "";
    text = next() < 0.7 ? text.slice(0, at) + piece + text.slice(at) : text.slice(0, at) + text.slice(at + 1);
  }
  return text;
}

const PROMPTS = [
  "Studio photo of product 1, white background",
  "",
  "a",
  "ab",
  "😀",
  "x".repeat(32_000),
  "x".repeat(32_001),
  "😀".repeat(16_001),
  "😀".repeat(15_999) + "ab",
  "a😀",
  42,
  null,
  ["a"],
  { text: "a" },
];
const SIZES = [
  "square_hd",
  "landscape_4_3",
  "auto",
  "1024x1024",
  "1536x1024",
  { width: 1024, height: 768 },
  { width: 1024, height: 1024 },
  { width: 1000, height: 768 },
  { width: 3840, height: 2160 },
  { width: 4000, height: 2000 },
  { width: 3072, height: 768 },
  { width: 512, height: 512 },
  { width: 1024 },
  { width: 1024, height: 768, depth: 1 },
  { width: "1024", height: 768 },
  { width: Number.NaN, height: 768 },
  { width: Infinity, height: 768 },
  { width: 1024, height: undefined },
  [1024, 768],
  nullProto({ width: 1024, height: 768 }),
  new Size(1024, 768),
  hiddenWidth,
  null,
  "",
];
const POOLS: Record<string, readonly unknown[]> = {
  prompt: PROMPTS,
  num_images: [1, 2, 4, 0, 5, 2.5, -1, "2", Number.NaN, Infinity, 1e300, null, true],
  quality: ["low", "medium", "high", "ultra", "LOW", "", null, 1],
  image_size: SIZES,
  output_format: ["png", "jpeg", "webp", "gif", "PNG", null],
  background: ["auto", "transparent", "opaque", "none", null],
  sync_mode: [true, false, "true", 0, null],
  image_urls: [
    [URLS[0]],
    [],
    [URLS[0], URLS[1]],
    [URLS[4]],
    [URLS[0], URLS[5]],
    URLS[0],
    [undefined],
    new Array<string>(2),
    null,
    [URLS[6], URLS[14]],
  ],
  mask_url: URLS,
  image_url: URLS,
  config: [
    {},
    { aspect_ratio: "4:3" },
    { aspect_ratio: 4 },
    { aspect_ratio: undefined },
    { other: 1 },
    "4:3",
    null,
    [],
    nullProto({ aspect_ratio: "1:1" }),
  ],
  aspect_ratio: ["1:1", "4:3", "21:9", "7:5", 1, null],
  resolution: ["1K", "2K", "4K", "8K", "2k", null],
};
const EXTRA_KEYS = ["seed", "image_url", "image_urls", "config", "aspect_ratio", "sync_mode", "background"];

function pool(model: ModelId, key: string): readonly unknown[] {
  if (model === "openai/gpt-image-1.5" && key === "image_size") return ["1024x1024", ...SIZES];
  return POOLS[key] ?? [];
}

function generateInput(model: ModelId, next: () => number): unknown {
  const roll = next();
  if (roll < 0.02) return [null, "text", 3, [], undefined][Math.floor(next() * 5)];
  const shape = Object.keys(
    (MODEL_INPUT_SCHEMAS[model] as unknown as { shape: Record<string, unknown> }).shape,
  );
  const input: Record<string, unknown> = roll < 0.04 ? (Object.create(null) as Record<string, unknown>) : {};
  for (const key of shape) {
    const pick = next();
    const values = pool(model, key);
    if (pick < 0.08) continue; // absent
    if (pick < 0.1) input[key] = undefined;
    else if (pick < 0.8)
      input[key] = values[0]; // mostly the valid value
    else
      input[key] =
        key.endsWith("url") && next() < 0.5 ? mutatedUrl(next) : values[Math.floor(next() * values.length)];
  }
  if (next() < 0.05) input[EXTRA_KEYS[Math.floor(next() * EXTRA_KEYS.length)] ?? "seed"] = "extra";
  if (next() < 0.01) return { ...input, ...(JSON.parse('{"__proto__": {"x": 1}}') as object) };
  return input;
}

describe("checkModelInput fast path", () => {
  it("knows exactly the keys each schema has", () => {
    for (const model of MODEL_IDS) {
      const shape = (MODEL_INPUT_SCHEMAS[model] as unknown as { shape: Record<string, unknown> }).shape;
      const valid = Object.fromEntries(Object.keys(shape).map((key) => [key, pool(model, key)[0]]));
      expect(MODEL_INPUT_SCHEMAS[model].safeParse(valid).success, model).toBe(true);
      expect(isCertainlyValidInput(model, valid), model).toBe(true);
      for (const key of Object.keys(shape))
        expect(isCertainlyValidInput(model, { ...valid, [`${key}_x`]: 1 })).toBe(false);
    }
  });

  it("never calls valid what zod rejects, over 20,000 generated inputs per model", () => {
    for (const model of MODEL_IDS) {
      const next = random(MODEL_IDS.indexOf(model) + 1);
      let fast = 0;
      let zod = 0;
      for (let i = 0; i < 20_000; i++) {
        const input = generateInput(model, next);
        const accepted = MODEL_INPUT_SCHEMAS[model].safeParse(input).success;
        const quick = isCertainlyValidInput(model, input);
        if (quick && !accepted)
          expect.fail(`${model}: fast path accepts ${JSON.stringify(input)}, zod rejects it`);
        if (accepted) zod += 1;
        if (quick) fast += 1;
        expect(checkModelInput(model, input).length === 0, JSON.stringify(input)).toBe(accepted);
      }
      // Both outcomes are well covered, and the fast path answers most valid inputs itself.
      expect(zod, model).toBeGreaterThan(500);
      expect(20_000 - zod, model).toBeGreaterThan(5_000);
      expect(fast / zod, model).toBeGreaterThan(0.8);
    }
  });

  it("accepts a URL only when new URL() parses it with the right protocol", () => {
    const next = random(99);
    const candidates = [...URLS, ...Array.from({ length: 20_000 }, () => mutatedUrl(next))];
    const parsed = (text: string): string | null => {
      try {
        return new URL(text).protocol;
      } catch {
        return null;
      }
    };
    let accepted = 0;
    for (const text of candidates) {
      const protocol = parsed(text);
      if (plainHttpUrl(text) !== null) {
        accepted += 1;
        expect(protocol === "http:" || protocol === "https:", text).toBe(true);
      }
      if (plainHttpUrl(text) === "https") expect(protocol, text).toBe("https:");
      if (plainHttpUrl(text) === "http") expect(protocol, text).toBe("http:");
    }
    expect(accepted).toBeGreaterThan(2_000);
    expect(plainHttpUrl("https://example.com/in/1.png")).toBe("https");
    expect(plainHttpUrl("http://cdn.example.co.uk:8080/a/b.jpg?v=1#x")).toBe("http");
  });
});
