import { describe, expect, it } from "vitest";
import { errorCode, safeCause, scrubSecret } from "./http.js";
import { describeUrl, extensionFor } from "./download.js";
import { modelPath } from "./client.js";

const KEY = "rf_live_SUPERSECRET123";

describe("scrubSecret / safeCause", () => {
  it("removes every occurrence of the key", () => {
    expect(scrubSecret(`Bearer ${KEY} and ${KEY}`, KEY)).toBe("Bearer [redacted] and [redacted]");
    expect(scrubSecret("nothing here", KEY)).toBe("nothing here");
  });

  it("copies an error chain without the key, keeping names and codes", () => {
    const inner = Object.assign(new Error(`socket said ${KEY}`), { code: "ECONNRESET" });
    const outer = new Error(`request with ${KEY} failed`, { cause: inner });
    const copy = safeCause(outer, KEY) as Error;
    expect(
      JSON.stringify({
        message: copy.message,
        stack: copy.stack,
        cause: String((copy.cause as Error).stack),
      }),
    ).not.toContain(KEY);
    expect((copy.cause as { code?: string }).code).toBe("ECONNRESET");
    expect(safeCause(`text ${KEY}`, KEY)).toBe("text [redacted]");
  });

  it("finds the code one level down", () => {
    expect(errorCode(new Error("x", { cause: Object.assign(new Error("y"), { code: "EPIPE" }) }))).toBe(
      "EPIPE",
    );
    expect(errorCode(new DOMException("The operation timed out", "TimeoutError"))).toBe("ETIMEDOUT");
    expect(errorCode("nope")).toBeNull();
  });
});

describe("download helpers", () => {
  it.each([
    ["image/png", "png"],
    ["image/jpeg", "jpg"],
    ["IMAGE/JPEG; charset=binary", "jpg"],
    ["image/webp", "webp"],
    ["image/gif", null],
    ["text/html", null],
    [null, null],
  ] as const)("%s → %s", (type, ext) => {
    expect(extensionFor(type)).toBe(ext);
  });

  it("describes a presigned URL without its query string", () => {
    expect(describeUrl("https://cdn.example/o/1.png?X-Signature=abc&exp=1")).toEqual({
      method: "GET",
      path: "https://cdn.example/o/1.png",
    });
    expect(describeUrl("not a url").path).toBe("(invalid URL)");
  });

  it("encodes model path segments", () => {
    expect(modelPath("openai/gpt-image-2/edit")).toBe("openai/gpt-image-2/edit");
    expect(modelPath("/runflow/tag removal/")).toBe("runflow/tag%20removal");
  });
});
