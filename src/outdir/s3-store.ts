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
import { createReadStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { s3OutText, type S3Location } from "../core/out-location.js";
import { openLineFile, type LineFile } from "./line-file.js";
import { collect, contentTypeOf, linesOf, s3Objects, type S3Objects } from "./s3-objects.js";
import { probeS3 } from "./s3-probe.js";
import type { S3Handle } from "./s3-client.js";
import { s3View } from "./s3-view.js";
import type { BatchStore } from "./store.js";

/** A line file (results.jsonl) is written to a local temporary file, and sent whole when committed. */
async function openS3LineFile(objects: S3Objects, name: string): Promise<LineFile> {
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
        await objects.upload(name, createReadStream(temp), contentTypeOf(name));
      } finally {
        await cleanUp();
      }
    },
    async discard() {
      await file.discard().catch(() => undefined);
      await cleanUp();
    },
  };
}

export function s3Store(location: S3Location, handle: () => Promise<S3Handle>): BatchStore {
  const text = s3OutText(location);
  const objects = s3Objects(location, handle);
  const { at, body, put } = objects;
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
    openLineFile: (name) => openS3LineFile(objects, name),
    remove: (name) => objects.remove(name),
    scratch: (label) => mkdtemp(path.join(tmpdir(), `runflow-batch-${label}-`)),
    localPath: () => null,
    images: {
      async write(name, content, contentType) {
        await put(name, content, contentType);
        return name;
      },
    },
  };
}
