/**
 * The S3 client of a batch directory in object storage. `@aws-sdk/client-s3` and
 * `@aws-sdk/lib-storage` are imported here only, and only when a command opens an `s3://` out:
 * a local run never loads them. Configured the AWS way (config/storage.ts): region, endpoint and
 * path-style addressing for S3-compatible stores, the checksum switch, and the SDK's default
 * credential chain unless the command's environment names an access key.
 */
import type * as ClientS3 from "@aws-sdk/client-s3";
import type { S3Client } from "@aws-sdk/client-s3";
import type * as LibStorage from "@aws-sdk/lib-storage";
import type { StorageConfig } from "../config/storage.js";
import { BatchError } from "../core/errors.js";
import { StoreError, storeErrorFrom, type StoreOp } from "./store-errors.js";

type S3Sdk = typeof ClientS3;
type S3Storage = typeof LibStorage;

export interface S3Handle {
  readonly client: S3Client;
  readonly sdk: S3Sdk;
  readonly storage: () => Promise<S3Storage>;
}

/** How long connecting may take, and a request may go without an answer, in ms. */
const CONNECT_TIMEOUT_MS = 5_000;
const REQUEST_TIMEOUT_MS = 60_000;
const MAX_SOCKETS = 256;

/** When no region is configured anywhere: S3-compatible stores accept any, AWS's default is this. */
const FALLBACK_REGION = "us-east-1";

export async function createS3Handle(config: StorageConfig): Promise<S3Handle> {
  const sdk = await import("@aws-sdk/client-s3");
  const credentials = config.credentials?.();
  const client = new sdk.S3Client({
    // With an endpoint (MinIO, R2, …) the region only signs requests: any will do when none is set.
    ...(config.region !== null
      ? { region: config.region }
      : config.endpoint !== null
        ? { region: FALLBACK_REGION }
        : {}),
    ...(config.endpoint !== null ? { endpoint: config.endpoint } : {}),
    forcePathStyle: config.pathStyle,
    requestChecksumCalculation: config.checksums,
    responseChecksumValidation: config.checksums,
    ...(credentials ? { credentials } : {}),
    ...(config.profile !== null && !credentials ? { profile: config.profile } : {}),
    requestHandler: {
      connectionTimeout: CONNECT_TIMEOUT_MS,
      requestTimeout: REQUEST_TIMEOUT_MS,
      // Room for every download a worker runs at once (128) and the reports besides: the SDK's 50
      // would queue them, and warn on the console about it.
      httpAgent: { maxSockets: MAX_SOCKETS },
      httpsAgent: { maxSockets: MAX_SOCKETS },
    },
  });
  let storage: Promise<S3Storage> | null = null;
  return { client, sdk, storage: () => (storage ??= import("@aws-sdk/lib-storage")) };
}

/**
 * Sends one command, turning any failure into a StoreError naming the bucket, the key and the
 * store's own error code.
 */
export async function send<T>(
  handle: Promise<S3Handle>,
  where: { readonly bucket: string; readonly key: string; readonly op: StoreOp },
  make: (sdk: S3Sdk) => object,
): Promise<T> {
  try {
    const { client, sdk } = await handle;
    // Each command is typed by its own input; the client's union of them is not worth restating here.
    return (await client.send(make(sdk) as Parameters<S3Client["send"]>[0])) as T;
  } catch (error) {
    if (error instanceof BatchError && !(error instanceof StoreError)) throw error; // settings refused
    throw storeErrorFrom(error, where);
  }
}
