/**
 * The S3 store's writes, against s3rver on port 0: a large image goes up in parts and appears
 * whole; a multipart upload that fails part-way leaves no object (and is aborted), so a retried
 * download never meets a partial image; a small one is one PUT carrying its MD5.
 */
import { createHash, randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readStorageConfig } from "../../src/config/storage.js";
import { createStoreOpener } from "../../src/outdir/stores.js";
import type { StoreOpener } from "../../src/outdir/store.js";
import { startS3, startS3Proxy, type S3Proxy, type TestS3 } from "../helpers/s3.js";

describe("writing images into an S3 prefix", () => {
  let s3: TestS3;
  let proxy: S3Proxy;
  let failParts = false;
  let stores: StoreOpener;
  beforeAll(async () => {
    s3 = await startS3();
    // Parts after the first fail with 500 while failParts is set (the SDK tries each 3 times).
    proxy = await startS3Proxy(s3.endpoint, (req) =>
      failParts && req.method === "PUT" && /(^|&)partNumber=[2-9]/.test(req.query)
        ? { status: 500, code: "InternalError", message: "We encountered an internal error." }
        : null,
    );
    stores = createStoreOpener({ storage: () => readStorageConfig(s3.env(proxy.url)) });
  });
  afterAll(async () => {
    await stores?.close();
    await proxy?.close();
    await s3?.close();
  });

  it("puts a large image in parts; it appears whole", async () => {
    const store = stores.open(`s3://${s3.bucket}/big`);
    const image = randomBytes(20 * 1024 * 1024);
    expect(await store.images?.write("images/huge.png", image, "image/png")).toBe("images/huge.png");
    const parts = proxy.requests.filter(
      (r) => r.path.endsWith("/big/images/huge.png") && /partNumber=/.test(r.query),
    );
    expect(parts.length).toBeGreaterThanOrEqual(3); // 8 MiB parts
    const stored = await s3.read("big/images/huge.png");
    expect(createHash("sha256").update(stored).digest("hex")).toBe(
      createHash("sha256").update(image).digest("hex"),
    );
  });

  it("leaves no object when a multipart upload fails part-way, and says the store's code", async () => {
    const store = stores.open(`s3://${s3.bucket}/broken`);
    failParts = true;
    try {
      await expect(
        store.images?.write("images/huge.png", randomBytes(20 * 1024 * 1024), "image/png"),
      ).rejects.toMatchObject({
        code: "InternalError",
        status: 500,
        transient: true,
        path: `s3://${s3.bucket}/broken/images/huge.png`,
      });
    } finally {
      failParts = false;
    }
    expect(await s3.keys("broken/")).toEqual([]);
    const aborted = proxy.requests.filter(
      (r) => r.method === "DELETE" && r.path.endsWith("/broken/images/huge.png"),
    );
    expect(aborted.map((r) => /uploadId=/.test(r.query))).toContain(true);
  });

  it("puts a small image in one request carrying its MD5", async () => {
    const store = stores.open(`s3://${s3.bucket}/small`);
    const image = randomBytes(4096);
    const before = proxy.requests.length;
    await store.images?.write("images/a.png", image, "image/png");
    const sent = proxy.requests.slice(before).filter((r) => r.path.endsWith("/small/images/a.png"));
    expect(sent).toEqual([
      {
        method: "PUT",
        path: `/${s3.bucket}/small/images/a.png`,
        query: expect.any(String),
        md5: createHash("md5").update(image).digest("base64"),
      },
    ]);
    expect(await s3.read("small/images/a.png")).toEqual(image);
  });
});
