/**
 * A batch directory that is an S3 prefix (`--out s3://BUCKET/PREFIX`): every file of a local
 * directory is an object under the prefix, named the same (`images/a.png`, `results.jsonl`,
 * `report-pages/page-2.html`), so report.html's relative links work when the prefix is served as
 * a static site and from a local copy of it.
 *
 * Writes are whole objects: a single PUT carrying the body's MD5 (the store refuses a body that
 * does not match it), or a multipart upload for large ones that is aborted when it fails; so an
 * object is there complete or not at all, and a retried write never leaves a partial one. What a
 * plan or a report knows of the prefix comes from one ListObjectsV2 pass per folder, never a
 * request per image.
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import { s3OutText, type S3Location } from "../core/out-location.js";
import { openLineFile } from "./line-file.js";
import { probeS3 } from "./s3-probe.js";
import { send, type S3Handle } from "./s3-client.js";
import type { BatchStore, FileInfo, ImageWriter, StoreView } from "./store.js";
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

const contentTypeOf = (name: string): string =>
  CONTENT_TYPES[path.posix.extname(name).toLowerCase()] ?? "application/octet-stream";

const md5 = (body: Buffer | string) => createHash("md5").update(body).digest("base64");

const notFound = (error: unknown) =>
  error instanceof StoreError && (error.code === "NoSuchKey" || error.code === "NotFound");

export function s3Store(location: S3Location, handle: () => Promise<S3Handle>): BatchStore {
  const { bucket, prefix } = location;
  const key = (name: string) => (prefix === "" ? name : `${prefix}/${name}`);
  const at = (name: string, op: StoreOp) => ({ bucket, key: key(name), op });
  const text = s3OutText(location);

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

  const images: ImageWriter = {
    async write(name, content, contentType) {
      await put(name, content, contentType);
      return name;
    },
  };

  return {
    kind: "s3",
    location: text,
    where: (name) => `${text}/${name}`,
    probe: (options) => probeS3(location, handle, options),
    makeDir: async () => [],
    removeMadeDirs: async () => undefined,
    async readText(name) {
      const stream = await body(name);
      if (stream === null) return null;
      return (await collect(stream, at(name, "read"))).toString("utf8");
    },
    readLines: (name) => linesOf(body(name), at(name, "read")),
    async readBytes(name) {
      const stream = await body(name);
      return stream === null ? null : collect(stream, at(name, "read"));
    },
    view: () => s3View(handle, location),
    writeText: (name, content) => put(name, content, contentTypeOf(name)),
    writeBytes: (name, content, contentType) => put(name, content, contentType),
    async openLineFile(name) {
      const work = await mkdtemp(path.join(tmpdir(), "runflow-batch-"));
      const temp = path.join(work, path.posix.basename(name));
      const file = await openLineFile(temp);
      const cleanUp = () => rm(work, { recursive: true, force: true });
      return {
        write: (chunk) => file.write(chunk),
        async commit() {
          try {
            // Committed locally (whole), then sent: the object appears complete or not at all.
            await file.commit();
            await upload(name, createReadStream(temp), contentTypeOf(name));
          } finally {
            await cleanUp();
          }
        },
        async discard() {
          await file.discard().catch(() => undefined);
          await cleanUp();
        },
      };
    },
    async remove(name) {
      await send(handle(), at(name, "remove"), (sdk) => {
        return new sdk.DeleteObjectCommand({ Bucket: bucket, Key: key(name) });
      });
    },
    scratch: (label) => mkdtemp(path.join(tmpdir(), `runflow-batch-${label}-`)),
    localPath: () => null,
    images,
  };
}

async function collect(stream: Readable, where: { bucket: string; key: string; op: StoreOp }) {
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
  } catch (error) {
    throw storeErrorFrom(error, where);
  }
  return Buffer.concat(chunks);
}

async function* linesOf(
  opened: Promise<Readable | null>,
  where: { bucket: string; key: string; op: StoreOp },
): AsyncGenerator<string> {
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

interface Listed {
  readonly Contents?: readonly { Key?: string; Size?: number; LastModified?: Date }[];
  readonly IsTruncated?: boolean;
  readonly NextContinuationToken?: string;
}

/** One ListObjectsV2 pass per folder of the prefix (all its pages), made when first asked. */
function s3View(handle: () => Promise<S3Handle>, location: S3Location): StoreView {
  const { bucket, prefix } = location;
  const folders = new Map<string, Promise<Map<string, FileInfo>>>();
  const listing = (folder: string): Promise<Map<string, FileInfo>> => {
    let found = folders.get(folder);
    if (!found) {
      found = listFolder(handle, bucket, [prefix, folder].filter((part) => part !== "").join("/"));
      found.catch(() => folders.delete(folder));
      folders.set(folder, found);
    }
    return found;
  };
  const split = (name: string) => {
    const slash = name.lastIndexOf("/");
    return slash < 0
      ? { folder: "", file: name }
      : { folder: name.slice(0, slash), file: name.slice(slash + 1) };
  };
  return {
    async has(name) {
      const { folder, file } = split(name);
      return (await listing(folder)).has(file);
    },
    async info(name) {
      const { folder, file } = split(name);
      return (await listing(folder)).get(file) ?? null;
    },
    async names(folder) {
      return new Set((await listing(folder)).keys());
    },
  };
}

async function listFolder(
  handle: () => Promise<S3Handle>,
  bucket: string,
  folderKey: string,
): Promise<Map<string, FileInfo>> {
  const start = folderKey === "" ? "" : `${folderKey}/`;
  const files = new Map<string, FileInfo>();
  let token: string | undefined;
  do {
    const page: Listed = await send<Listed>(handle(), { bucket, key: start, op: "list" }, (sdk) => {
      return new sdk.ListObjectsV2Command({
        Bucket: bucket,
        Prefix: start,
        Delimiter: "/",
        ...(token === undefined ? {} : { ContinuationToken: token }),
      });
    });
    for (const item of page.Contents ?? []) {
      if (item.Key === undefined) continue;
      files.set(item.Key.slice(start.length), {
        size: item.Size ?? 0,
        modifiedMs: item.LastModified?.getTime() ?? 0,
      });
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token !== undefined);
  return files;
}
