import { request } from "node:http";
import { describe, expect, it } from "vitest";
import type { Simulator } from "../../src/simulator/index.js";
import { eventually } from "../helpers/eventually.js";
import { createRun, getRun, withClockedSimulator, withSimulator } from "../helpers/simulator-http.js";
import { jpegInfo, pngInfo, webpInfo } from "../helpers/images.js";

interface Succeeded {
  id: string;
  urls: string[];
  outputs: Array<Record<string, unknown>>;
}

/** Creates a run (latency 0: it has ended by the next read) and reads it back. */
async function succeeded(s: Simulator, model: string, input: Record<string, unknown>): Promise<Succeeded> {
  const id = (await createRun(s, model, { input })).json.id as string;
  const json = (await getRun(s, id)).json;
  expect(json.status_code).toBe("succeeded");
  const output = json.output as { outputs: Array<Record<string, unknown>>; image_urls: string[] };
  return { id, urls: output.image_urls, outputs: output.outputs };
}

async function download(
  url: string,
): Promise<{ status: number; type: string | null; length: number; bytes: Buffer; json?: { code: string } }> {
  const res = await fetch(url);
  const bytes = Buffer.from(await res.arrayBuffer());
  const type = res.headers.get("content-type");
  const result = { status: res.status, type, length: Number(res.headers.get("content-length")), bytes };
  return type?.startsWith("application/json")
    ? { ...result, json: JSON.parse(bytes.toString()) as { code: string } }
    : result;
}

describe("output images", () => {
  it("serves valid PNGs of the announced size, different per image, with content-type and content-length", async () => {
    const sim = await withSimulator();
    const run = await succeeded(sim, "openai/gpt-image-2", {
      prompt: "x",
      num_images: 2,
      image_size: { width: 1024, height: 1024 },
    });
    const [a, b] = await Promise.all(run.urls.map(download));
    for (const file of [a, b]) {
      expect(file).toMatchObject({ status: 200, type: "image/png" });
      expect(file?.length).toBe(file?.bytes.length);
      expect(pngInfo(file!.bytes)).toMatchObject({ width: 1024, height: 1024 });
    }
    expect(a!.bytes.equals(b!.bytes)).toBe(false);
    expect(run.urls[0]).toMatch(/\/outputs\/.+\/0\.png\?expires=\d+&sig=[0-9a-f]{32}$/);
  });

  it("serves JPEG and WebP for output_format, valid and different per image", async () => {
    const sim = await withSimulator();
    const jpeg = await succeeded(sim, "openai/gpt-image-2", {
      prompt: "x",
      num_images: 2,
      output_format: "jpeg",
      image_size: "portrait_16_9",
    });
    expect(jpeg.outputs[0]).toMatchObject({ content_type: "image/jpeg", width: 576, height: 1024 });
    const [j1, j2] = await Promise.all(jpeg.urls.map(download));
    expect(j1?.type).toBe("image/jpeg");
    expect(jpegInfo(j1!.bytes)).toEqual({ width: 576, height: 1024 });
    expect(j1!.bytes.equals(j2!.bytes)).toBe(false);

    const webp = await succeeded(sim, "openai/gpt-image-1.5", {
      prompt: "xy",
      num_images: 2,
      output_format: "webp",
      image_size: "1536x1024",
    });
    const [w1, w2] = await Promise.all(webp.urls.map(download));
    expect(w1?.type).toBe("image/webp");
    expect(w1?.length).toBe(w1?.bytes.length);
    expect(webpInfo(w1!.bytes)).toEqual({ width: 1536, height: 1024 });
    expect(w1!.bytes.equals(w2!.bytes)).toBe(false);
  });

  it("expires URLs after urlTtlSeconds (403 URL_EXPIRED) and re-signs them on every GET of the run", async () => {
    const { sim, clock } = await withClockedSimulator({ urlTtlSeconds: 1 });
    const run = await succeeded(sim, "openai/gpt-image-2", { prompt: "x" });
    const old = run.urls[0] as string;
    expect((await download(old)).status).toBe(200);
    // Signed on a whole second with a 1 s lifetime: valid for exactly 1000 ms.
    clock.advance(999);
    expect((await download(old)).status).toBe(200);
    clock.advance(1);
    const expired = await download(old);
    expect(expired.status).toBe(403);
    expect(expired.json?.code).toBe("URL_EXPIRED");
    const fresh = ((await getRun(sim, run.id)).json.output as { image_urls: string[] })
      .image_urls[0] as string;
    expect(fresh).not.toBe(old);
    expect((await download(fresh)).status).toBe(200);
  });

  it("refuses a tampered signature or path with 403 SIGNATURE_INVALID", async () => {
    const sim = await withSimulator();
    const run = await succeeded(sim, "openai/gpt-image-2", { prompt: "x", num_images: 2 });
    const url = run.urls[0] as string;
    const tampered = url.replace(/sig=([0-9a-f])/, (_m, c: string) => `sig=${c === "0" ? "1" : "0"}`);
    expect((await download(tampered)).json?.code).toBe("SIGNATURE_INVALID");
    const otherIndex = url.replace("/0.png", "/1.png");
    expect((await download(otherIndex)).status).toBe(403);
    expect((await download(url.split("?")[0] as string)).status).toBe(403);
  });

  it("truncates downloads at truncateRate: fewer bytes than Content-Length, then the connection is cut", async () => {
    const sim = await withSimulator({ truncateRate: 1 });
    const run = await succeeded(sim, "openai/gpt-image-2", { prompt: "x", output_format: "jpeg" });
    const outcome = await new Promise<{ declared: number; received: number; error: string | null }>(
      (resolve) => {
        request(run.urls[0] as string, (res) => {
          let received = 0;
          const declared = Number(res.headers["content-length"]);
          res.on("data", (chunk: Buffer) => (received += chunk.length));
          res.on("error", (error) => resolve({ declared, received, error: error.message }));
          res.on("end", () => resolve({ declared, received, error: null }));
          res.on("close", () => resolve({ declared, received, error: "closed" }));
        }).end();
      },
    );
    expect(outcome.received).toBeLessThan(outcome.declared);
    expect(outcome.error).not.toBeNull();
    // fetch sees the same cut as an error.
    await expect(fetch(run.urls[0] as string).then((r) => r.arrayBuffer())).rejects.toThrow();
  });

  it("delays downloads by downloadDelayMs", async () => {
    const { sim, clock } = await withClockedSimulator({ downloadDelayMs: 250 });
    const run = await succeeded(sim, "openai/gpt-image-2", { prompt: "x" });
    const file = download(run.urls[0] as string);
    // The request has arrived once its delay is scheduled; no byte is sent before it is over.
    await eventually(() => clock.pending().length === 1, { what: "the download to arrive" });
    expect(clock.pending()).toEqual([250]);
    clock.advance(249);
    expect(clock.pending()).toEqual([1]);
    clock.advance(1);
    expect(clock.pending()).toEqual([]);
    expect(await file).toMatchObject({ status: 200, type: "image/png" });
  });
});
