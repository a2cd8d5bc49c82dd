import { describe, expect, it } from "vitest";
import { signNotification, verifyNotification } from "./sign.js";

describe("notification signatures", () => {
  const body = JSON.stringify({ batch: "b-1", state: "done" });

  it("signs timestamp and body with HMAC-SHA256 and verifies them", () => {
    const header = signNotification("s3cret", body, 1_800_000_000);
    expect(header).toMatch(/^t=1800000000,v1=[0-9a-f]{64}$/);
    expect(verifyNotification("s3cret", body, header, 1_800_000_010)).toBe(true);
  });

  it("refuses another secret, a changed body, a stale timestamp and a malformed header", () => {
    const header = signNotification("s3cret", body, 1_800_000_000);
    expect(verifyNotification("other", body, header, 1_800_000_000)).toBe(false);
    expect(verifyNotification("s3cret", body.replace("done", "failed-rows"), header, 1_800_000_000)).toBe(
      false,
    );
    expect(verifyNotification("s3cret", body, header, 1_800_000_000 + 301)).toBe(false);
    expect(verifyNotification("s3cret", body, "v1=abc", 1_800_000_000)).toBe(false);
  });
});
