/**
 * The objects of an S3 batch prefix, one by one: read (a stream, or null when there is none),
 * written whole (a single PUT carrying the body's MD5, or a multipart upload aborted when it
 * fails), and removed. Every failure is a StoreError naming the bucket, key and operation.
 */
import { createHash } from "node:crypto";
import path from "node:path";
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import type { S3Location } from "../core/out-location.js";
import { send, type S3Handle } from "./s3-client.js";
import { storeErrorFrom, StoreError, type StoreOp } from "./store-errors.js";

/** Objects larger than this go up in parts (a single PUT carries at most 5 GiB; images are far smaller). */
const MULTIPART_FROM_BYTES = 16 * 1024 * 1024;
const PART_BYTES = 8 * 1024 * 1024;

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".webp": "image/webp",
  ".html": "text/html; charset=utf-8",
  ".json": "application/json",
  ".jsonl": "application/x-ndjson",
  ".csv": "text/csv; charset=utf-8",
  ".md": "text/markdown; charset=utf-8",
};

export const contentTypeOf = (name: string): string =>
  CONTENT_TYPES[path.posix.extname(name).toLowerCase()] ?? "application/octet-stream";

const md5 = (body: Buffer | string) => createHash("md5").update(body).digest("base64");

const notFound = (error: unknown) =>
  error instanceof StoreError && (error.code === "NoSuchKey" || error.code === "NotFound");

type Where = { bucket: string; key: string; op: StoreOp };

export interface S3Objects {
  /** Where a request about the object is said to have failed. */
  at(name: string, op: StoreOp): Where;
  /** The object's body, or null when there is none. */
  body(name: string): Promise<Readable | null>;
  put(name: string, content: Buffer | string, contentType: string): Promise<void>;
  upload(name: string, content: Buffer | Readable, contentType: string): Promise<void>;
  remove(name: string): Promise<void>;
}

export function s3Objects(location: S3Location, handle: () => Promise<S3Handle>): S3Objects {
  const { bucket, prefix } = location;
  const key = (name: string) => (prefix === "" ? name : `${prefix}/${name}`);
  const at = (name: string, op: StoreOp) => ({ bucket, key: key(name), op });

  async function body(name: string): Promise<Readable | null> {
    try {
      const answer = await send<{ Body?: unknown }>(handle(), at(name, "read"), (sdk) => {
        return new sdk.GetObjectCommand({ Bucket: bucket, Key: key(name) });
      });
      return (answer.Body as Readable | undefined) ?? null;
    } catch (error) {
      if (notFound(error)) return null;
      throw error;
    }
  }

  async function put(name: string, content: Buffer | string, contentType: string): Promise<void> {
    const bytes = typeof content === "string" ? Buffer.from(content) : content;
    if (bytes.length >= MULTIPART_FROM_BYTES) {
      await upload(name, bytes, contentType);
      return;
    }
    await send(handle(), at(name, "write"), (sdk) => {
      return new sdk.PutObjectCommand({
        Bucket: bucket,
        Key: key(name),
        Body: bytes,
        ContentType: contentType,
        ContentLength: bytes.length,
        ContentMD5: md5(bytes),
      });
    });
  }

  /**
   * A multipart upload (lib-storage): parts in turn, completed at the end; on failure it is aborted
   * here (best effort), so the error said is the one that failed the upload, not the abort's.
   */
  async function upload(name: string, content: Buffer | Readable, contentType: string): Promise<void> {
    const { client, sdk, storage } = await handle(); // settings refused: their own error (exit 4)
    const { Upload } = await storage();
    const job = new Upload({
      client,
      params: { Bucket: bucket, Key: key(name), Body: content, ContentType: contentType },
      partSize: PART_BYTES,
      queueSize: 2,
      leavePartsOnError: true,
    });
    try {
      await job.done();
    } catch (error) {
      const uploadId = job.uploadId;
      if (uploadId !== undefined)
        await client
          .send(new sdk.AbortMultipartUploadCommand({ Bucket: bucket, Key: key(name), UploadId: uploadId }))
          .catch(() => undefined); // a store that keeps the parts expires them by its lifecycle rules
      throw storeErrorFrom(error, at(name, "write"));
    }
  }

  return {
    at,
    body,
    put,
    upload,
    async remove(name) {
      await send(handle(), at(name, "remove"), (sdk) => {
        return new sdk.DeleteObjectCommand({ Bucket: bucket, Key: key(name) });
      });
    },
  };
}

/** The whole stream, in memory. */
export async function collect(stream: Readable, where: Where): Promise<Buffer> {
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
  } catch (error) {
    throw storeErrorFrom(error, where);
  }
  return Buffer.concat(chunks);
}

/** The object's lines, read as they arrive; none when there is no object. */
export async function* linesOf(opened: Promise<Readable | null>, where: Where): AsyncGenerator<string> {
  const stream = await opened;
  if (stream === null) return;
  try {
    yield* createInterface({ input: stream, crlfDelay: Infinity });
  } catch (error) {
    throw storeErrorFrom(error, where);
  } finally {
    stream.destroy();
  }
}
