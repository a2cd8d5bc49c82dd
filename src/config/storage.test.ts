import { describe, expect, it } from "vitest";
import { readStorageConfig } from "./storage.js";

describe("object storage settings", () => {
  it("reads AWS's own variables; path style when an endpoint is set", () => {
    const config = readStorageConfig({
      AWS_REGION: "eu-west-1",
      AWS_ENDPOINT_URL: "http://127.0.0.1:9000/",
      AWS_ACCESS_KEY_ID: "minio",
      AWS_SECRET_ACCESS_KEY: "minio-secret",
    });
    expect(config).toMatchObject({
      region: "eu-west-1",
      endpoint: "http://127.0.0.1:9000",
      pathStyle: true,
      checksums: "WHEN_SUPPORTED",
    });
    expect(config.credentials?.()).toEqual({ accessKeyId: "minio", secretAccessKey: "minio-secret" });
  });

  it("never carries the secret where it could be printed: only a function hands it over", () => {
    const config = readStorageConfig({ AWS_ACCESS_KEY_ID: "id", AWS_SECRET_ACCESS_KEY: "very-secret" });
    expect(JSON.stringify(config)).not.toContain("very-secret");
    expect(readStorageConfig({}).credentials).toBeNull(); // the SDK's default chain
  });

  it("--s3-endpoint outranks AWS_ENDPOINT_URL_S3, which outranks AWS_ENDPOINT_URL", () => {
    const env = { AWS_ENDPOINT_URL: "http://a:1", AWS_ENDPOINT_URL_S3: "http://b:2" };
    expect(readStorageConfig(env).endpoint).toBe("http://b:2");
    expect(readStorageConfig({ ...env, RUNFLOW_BATCH_S3_ENDPOINT: "https://c" }).endpoint).toBe("https://c");
    expect(readStorageConfig({}).endpoint).toBeNull();
    expect(readStorageConfig({}).pathStyle).toBe(false);
  });

  it("the checksum switch for stores that reject the SDK's defaults (R2), and path style off", () => {
    const r2 = readStorageConfig({
      AWS_ENDPOINT_URL: "https://acct.r2.cloudflarestorage.com",
      AWS_REQUEST_CHECKSUM_CALCULATION: "when_required",
      RUNFLOW_BATCH_S3_PATH_STYLE: "0",
    });
    expect(r2).toMatchObject({ checksums: "WHEN_REQUIRED", pathStyle: false });
  });

  it("refuses settings it cannot use, naming them (exit 4)", () => {
    expect(() => readStorageConfig({ AWS_ENDPOINT_URL: "minio:9000" })).toThrow(
      /AWS_ENDPOINT_URL must be an http\(s\) URL .* got "minio:9000"/,
    );
    expect(() => readStorageConfig({ RUNFLOW_BATCH_S3_ENDPOINT: "ftp://x" })).toThrow(/--s3-endpoint must/);
    expect(() => readStorageConfig({ AWS_REQUEST_CHECKSUM_CALCULATION: "never" })).toThrow(
      /WHEN_SUPPORTED .* or WHEN_REQUIRED/,
    );
    expect(() => readStorageConfig({ AWS_ENDPOINT_URL: "minio:9000" })).toThrow(
      expect.objectContaining({ exitCode: 4 }),
    );
  });
});
