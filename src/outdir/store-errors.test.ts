import { describe, expect, it } from "vitest";
import { storeErrorFrom } from "./store-errors.js";

const at = { bucket: "cat", key: "night/images/a.png", op: "write" } as const;
const sdkError = (name: string, status: number, message: string) =>
  Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });

describe("what object storage said, as one error", () => {
  it("names the object, the store's code and status, and how to fix it (exit 2)", () => {
    const error = storeErrorFrom(sdkError("NoSuchBucket", 404, "The specified bucket does not exist"), at);
    expect(error.message).toBe(
      "could not write s3://cat/night/images/a.png: NoSuchBucket (404): The specified bucket does not exist. " +
        "Create the bucket, or check its name and the endpoint (AWS_ENDPOINT_URL, --s3-endpoint).",
    );
    expect(error).toMatchObject({ exitCode: 2, code: "NoSuchBucket", status: 404, transient: false });
  });

  it("tells a passing fault (SlowDown, 5xx, no answer) from a refusal", () => {
    expect(storeErrorFrom(sdkError("SlowDown", 503, "Please reduce your request rate."), at).transient).toBe(
      true,
    );
    expect(storeErrorFrom(sdkError("Unknown", 502, "UnknownError"), at)).toMatchObject({
      code: "HTTP502",
      transient: true,
    });
    const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:9"), { code: "ECONNREFUSED" });
    expect(storeErrorFrom(new Error("socket", { cause: refused }), at)).toMatchObject({
      code: "ECONNREFUSED",
      transient: true,
    });
    expect(storeErrorFrom(sdkError("AccessDenied", 403, "Access Denied"), at).transient).toBe(false);
  });

  it("says where credentials and the region come from when the SDK found none", () => {
    const none = Object.assign(new Error("Could not load credentials from any providers"), {
      name: "CredentialsProviderError",
    });
    expect(storeErrorFrom(none, at).message).toContain("NoCredentials: Could not load credentials");
    expect(storeErrorFrom(none, at).message).toContain("Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY");
    expect(storeErrorFrom(new Error("Region is missing"), at).message).toContain("Set AWS_REGION");
  });
});
