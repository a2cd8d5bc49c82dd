/**
 * An S3 prefix that cannot be written is found by the probe before anything is paid: exit 2 naming
 * the bucket, the prefix and the store's own error code, and no run created. The errors s3rver
 * gives itself (NoSuchBucket, InvalidAccessKeyId) come from it; the ones it never gives
 * (SignatureDoesNotMatch, AccessDenied) from a proxy in front of it; an endpoint that does not
 * answer is a closed port.
 */
import { once } from "node:events";
import { createServer, type AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli } from "../helpers/cli.js";
import { generations, tempDir, writeJsonl } from "../helpers/manifests.js";
import { startS3, startS3Proxy, type S3Fault, type S3Proxy, type TestS3 } from "../helpers/s3.js";
import { useTestbed } from "../helpers/testbed.js";

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer().listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe("an S3 prefix that cannot be written", () => {
  const bed = useTestbed({ latencyMs: 5 });
  let s3: TestS3;
  let proxy: S3Proxy;
  let fault: S3Fault | null = null;
  beforeAll(async () => {
    s3 = await startS3();
    proxy = await startS3Proxy(s3.endpoint, () => fault);
  });
  afterAll(async () => {
    await proxy?.close();
    await s3?.close();
  });

  async function refused(command: "run" | "submit", out: string, env: Record<string, string>) {
    const dir = await tempDir();
    const manifest = await writeJsonl(dir, generations(3));
    const result = await cli([command, manifest, "--out", out], { ...bed.env(), ...env });
    expect(bed.sim.ledger().runsCreated).toBe(0);
    expect(await bed.store().list(10)).toEqual([]);
    return result;
  }

  it("no such bucket: exit 2 with the bucket, the prefix and NoSuchBucket, nothing created", async () => {
    const result = await refused("run", "s3://no-such-bucket/night/cat", s3.env());
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      "cannot write in the output prefix s3://no-such-bucket/night/cat (bucket no-such-bucket, prefix night/cat/): " +
        "NoSuchBucket (404)",
    );
    expect(result.stderr).toContain("nothing was submitted. Create the bucket");
  });

  it("an unknown access key: exit 2 with InvalidAccessKeyId (submit too)", async () => {
    const result = await refused("submit", `s3://${s3.bucket}/k`, {
      ...s3.env(),
      AWS_ACCESS_KEY_ID: "NOT-A-KEY",
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      `s3://${s3.bucket}/k (bucket ${s3.bucket}, prefix k/): InvalidAccessKeyId (403)`,
    );
    expect(result.stderr).not.toContain("S3RVER"); // the secret is never said
  });

  it("a wrong secret: exit 2 with SignatureDoesNotMatch", async () => {
    fault = {
      status: 403,
      code: "SignatureDoesNotMatch",
      message: "The request signature we calculated does not match",
    };
    try {
      const result = await refused("run", `s3://${s3.bucket}/sig`, s3.env(proxy.url));
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(
        "SignatureDoesNotMatch (403): The request signature we calculated does not match",
      );
      expect(result.stderr).toContain("Check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY");
    } finally {
      fault = null;
    }
  });

  it("access denied: exit 2 with AccessDenied and the permissions needed", async () => {
    fault = { status: 403, code: "AccessDenied", message: "Access Denied" };
    try {
      const result = await refused("run", `s3://${s3.bucket}/denied`, s3.env(proxy.url));
      expect(result.code).toBe(2);
      expect(result.stderr).toContain("AccessDenied (403): Access Denied; nothing was submitted");
      expect(result.stderr).toContain("s3:PutObject");
    } finally {
      fault = null;
    }
  });

  it("an endpoint that does not answer: exit 2 with the connection error", async () => {
    const port = await closedPort();
    const result = await refused("run", `s3://${s3.bucket}/gone`, s3.env(`http://127.0.0.1:${port}`));
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      `s3://${s3.bucket}/gone (bucket ${s3.bucket}, prefix gone/): ECONNREFUSED`,
    );
  });
});
