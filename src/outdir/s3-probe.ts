/**
 * Before anything is paid: can this machine write the S3 prefix? A probe object is put under the
 * prefix, the prefix is listed (plans and reports list it) and the probe removed again. A prefix
 * that cannot be used — no such bucket, access denied, a wrong secret, an endpoint that does not
 * answer — is a usage error (exit 2) naming the bucket, the prefix and the store's own error code,
 * found before a single request reaches Runflow. Bounded in time like the local probe.
 */
import { randomBytes } from "node:crypto";
import { LOCAL_DEFAULTS } from "../config/defaults.js";
import { UsageError } from "../core/errors.js";
import { s3OutText, type S3Location } from "../core/out-location.js";
import { send, type S3Handle } from "./s3-client.js";
import { StoreError } from "./store-errors.js";

export async function probeS3(
  location: S3Location,
  handle: () => Promise<S3Handle>,
  options: { readonly timeoutMs?: number } = {},
): Promise<void> {
  const { bucket, prefix } = location;
  const text = s3OutText(location);
  const where = `the output prefix ${text} (bucket ${bucket}, prefix ${prefix === "" ? "(none)" : `${prefix}/`})`;
  const start = prefix === "" ? "" : `${prefix}/`;
  const key = `${start}.runflow-batch-probe-${process.pid}-${randomBytes(4).toString("hex")}`;
  const probe = async () => {
    await send(handle(), { bucket, key, op: "write" }, (sdk) => {
      return new sdk.PutObjectCommand({ Bucket: bucket, Key: key, Body: "runflow-batch write probe\n" });
    });
    try {
      await send(handle(), { bucket, key: start, op: "list" }, (sdk) => {
        return new sdk.ListObjectsV2Command({ Bucket: bucket, Prefix: start, Delimiter: "/" });
      });
    } finally {
      await send(handle(), { bucket, key, op: "remove" }, (sdk) => {
        return new sdk.DeleteObjectCommand({ Bucket: bucket, Key: key });
      }).catch(() => undefined);
    }
  };
  const timeoutMs = options.timeoutMs ?? LOCAL_DEFAULTS.probeTimeoutMs;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(
        new UsageError(
          `${where} did not answer within ${Math.round(timeoutMs / 100) / 10} s; nothing was submitted. ` +
            "Check the store answers at its endpoint (AWS_ENDPOINT_URL, --s3-endpoint) from this machine.",
        ),
      );
    }, timeoutMs);
  });
  try {
    await Promise.race([probe(), late]);
  } catch (error) {
    if (!(error instanceof StoreError)) throw error;
    const status = error.status === null ? "" : ` (${error.status})`;
    const what = error.op === "list" ? "cannot list" : "cannot write in";
    throw new UsageError(
      `${what} ${where}: ${error.code}${status}: ${error.detail}; nothing was submitted. ${error.hint}`,
      { cause: error },
    );
  } finally {
    clearTimeout(timer);
  }
}
