/**
 * Settings of object storage, for batch directories that are S3 prefixes (`--out s3://…`), read
 * the AWS way: AWS_REGION (or AWS_DEFAULT_REGION), AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL (or
 * --s3-endpoint) for S3-compatible stores, AWS_REQUEST_CHECKSUM_CALCULATION=WHEN_REQUIRED for
 * stores that reject the SDK's default checksums (Cloudflare R2), and the SDK's default credential
 * chain (environment, shared profile, web identity, container and instance roles).
 *
 * Credentials are never a field of the configuration: only a function that hands them to the S3
 * client, so no log line, report or Redis record can carry them by printing the settings.
 */
import { ConfigurationError } from "../core/errors.js";

interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

type ChecksumMode = "WHEN_SUPPORTED" | "WHEN_REQUIRED";

export interface StorageConfig {
  /** AWS_REGION, else AWS_DEFAULT_REGION; null: the SDK's own chain (the profile), else us-east-1. */
  readonly region: string | null;
  /** RUNFLOW_BATCH_S3_ENDPOINT (--s3-endpoint), AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL; null: AWS S3. */
  readonly endpoint: string | null;
  /**
   * Path-style addressing (https://host/bucket/key): RUNFLOW_BATCH_S3_PATH_STYLE; default on when
   * an endpoint is set (MinIO and most S3-compatible stores), off for AWS S3.
   */
  readonly pathStyle: boolean;
  /** AWS_REQUEST_CHECKSUM_CALCULATION (and its RUNFLOW_BATCH_S3_CHECKSUMS spelling). */
  readonly checksums: ChecksumMode;
  /** AWS_PROFILE: the shared profile the default chain reads. */
  readonly profile: string | null;
  /**
   * Access key and secret when the command's environment names them (AWS_ACCESS_KEY_ID,
   * AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN); null: the SDK's default credential chain.
   */
  readonly credentials: (() => AwsCredentials) | null;
}

type Environment = Readonly<Record<string, string | undefined>>;

const given = (value: string | undefined): string | undefined =>
  value !== undefined && value.trim() !== "" ? value.trim() : undefined;

function endpointFrom(env: Environment): string | null {
  const name = ["RUNFLOW_BATCH_S3_ENDPOINT", "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"].find(
    (key) => given(env[key]) !== undefined,
  );
  if (name === undefined) return null;
  const text = given(env[name]) as string;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    url = new URL("invalid:");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw new ConfigurationError(
      `${name === "RUNFLOW_BATCH_S3_ENDPOINT" ? "--s3-endpoint" : name} must be an http(s) URL such as ` +
        `http://127.0.0.1:9000 (MinIO) or https://ACCOUNT.r2.cloudflarestorage.com (R2), got ${JSON.stringify(text)}`,
    );
  return text.replace(/\/+$/, "");
}

function checksumsFrom(env: Environment): ChecksumMode {
  const name = ["RUNFLOW_BATCH_S3_CHECKSUMS", "AWS_REQUEST_CHECKSUM_CALCULATION"].find(
    (key) => given(env[key]) !== undefined,
  );
  if (name === undefined) return "WHEN_SUPPORTED";
  const value = (given(env[name]) as string).toUpperCase().replace(/-/g, "_");
  if (value === "WHEN_SUPPORTED" || value === "WHEN_REQUIRED") return value;
  throw new ConfigurationError(
    `${name} must be WHEN_SUPPORTED (the SDK's default) or WHEN_REQUIRED (stores that reject its default ` +
      `checksums, such as Cloudflare R2), got ${JSON.stringify(env[name])}`,
  );
}

function pathStyleFrom(env: Environment, endpoint: string | null): boolean {
  const text = given(env.RUNFLOW_BATCH_S3_PATH_STYLE);
  if (text === undefined) return endpoint !== null;
  const value = text.toLowerCase();
  if (["1", "true", "yes", "on"].includes(value)) return true;
  if (["0", "false", "no", "off"].includes(value)) return false;
  throw new ConfigurationError(
    `RUNFLOW_BATCH_S3_PATH_STYLE must be 1 (https://host/bucket/key) or 0 (https://bucket.host/key), ` +
      `got ${JSON.stringify(text)}`,
  );
}

function credentialsFrom(env: Environment): (() => AwsCredentials) | null {
  const accessKeyId = given(env.AWS_ACCESS_KEY_ID);
  const secretAccessKey = given(env.AWS_SECRET_ACCESS_KEY);
  if (accessKeyId === undefined || secretAccessKey === undefined) return null;
  const sessionToken = given(env.AWS_SESSION_TOKEN);
  return () => ({ accessKeyId, secretAccessKey, ...(sessionToken === undefined ? {} : { sessionToken }) });
}

export function readStorageConfig(env: Environment): StorageConfig {
  const endpoint = endpointFrom(env);
  return {
    region: given(env.AWS_REGION) ?? given(env.AWS_DEFAULT_REGION) ?? null,
    endpoint,
    pathStyle: pathStyleFrom(env, endpoint),
    checksums: checksumsFrom(env),
    profile: given(env.AWS_PROFILE) ?? null,
    credentials: credentialsFrom(env),
  };
}
